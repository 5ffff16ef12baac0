"""Writes on case tasks: adding them and working them (status, assignee, checklist, due time). Every write adds a
timeline event on the task's case in the same transaction."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import ErrorList, NotFoundError
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from responses.cases.timeline import timeline_add
from responses.models import CaseRole, CaseTask, CrisisCase, TaskPriority, TaskStatus
from responses.team.permissions import check_case_action
from tenants.identity.models import User
from tenants.identity.principals import Principal

# What marks a task as one of the review's action items (the review report lists them apart).
ACTION_ITEM_DESCRIPTION = "Action item from the after-action review."


def _check_task(errors: ErrorList, values: dict[str, Any]) -> None:
    if "title" in values:
        values["title"] = required_text(errors, values["title"], field="title", label="Title", limit=300)
    if "status" in values and values["status"] not in TaskStatus.values:
        errors.add("status", f"Unknown status '{values['status']}'; expected one of {', '.join(TaskStatus.values)}.")
    if "priority" in values and values["priority"] not in TaskPriority.values:
        errors.add("priority", f"Unknown priority '{values['priority']}'; expected {', '.join(TaskPriority.values)}.")
    if values.get("assignee_role") and values["assignee_role"] not in CaseRole.values:
        errors.add(
            "assignee_role",
            f"Unknown case role '{values['assignee_role']}'; expected one of {', '.join(CaseRole.values)}.",
        )
    if "checklist" in values:
        values["checklist"] = _checklist(errors, values["checklist"])
    if (
        values.get("assignee_id") is not None
        and not User.objects.filter(pk=values["assignee_id"], is_active=True).exists()
    ):
        errors.add("assignee_id", f"No active user {values['assignee_id']}.")


def _checklist(errors: ErrorList, items: Any) -> list[dict[str, Any]]:
    """Checklist items as [{item, done}]; plain strings are accepted as not-done items."""
    if not isinstance(items, list) or len(items) > 50:
        errors.add("checklist", "A list of at most 50 items.")
        return []
    cleaned = []
    for n, entry in enumerate(items):
        entry = {"item": entry, "done": False} if isinstance(entry, str) else entry
        text = entry.get("item") if isinstance(entry, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > 300:
            errors.add(f"checklist.{n}.item", "Each item needs text of at most 300 characters.")
            continue
        cleaned.append({"item": text.strip(), "done": bool(entry.get("done", False))})
    return cleaned


@transaction.atomic
def task_create(
    *,
    actor: Principal,
    case_id: int,
    title: str,
    description: str = "",
    priority: str = TaskPriority.NORMAL,
    assignee_id: int | None = None,
    assignee_role: str = "",
    checklist: list[Any] | None = None,
    due_at: Any = None,
) -> CaseTask:
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "add_task")
    values: dict[str, Any] = {
        "title": title,
        "priority": priority,
        "assignee_id": assignee_id,
        "assignee_role": assignee_role,
        "checklist": checklist or [],
    }
    errors = ErrorList()
    _check_task(errors, values)
    errors.raise_if_any()
    task = CaseTask.objects.create(case=case, description=description, due_at=due_at, **values)
    to = f" for {task.assignee_role}" if task.assignee_role else ""
    timeline_add(case, "task_created", actor, f"Task #{task.pk} {task.title} ({task.priority}){to}", task_id=task.pk)
    return task


@transaction.atomic
def task_update(
    *,
    actor: Principal,
    task_id: int,
    title: str = UNSET,
    description: str = UNSET,
    status: str = UNSET,
    priority: str = UNSET,
    assignee_id: int | None = UNSET,
    assignee_role: str = UNSET,
    checklist: list[Any] = UNSET,
    due_at: Any = UNSET,
) -> CaseTask:
    task = CaseTask.objects.select_for_update().select_related("case").filter(pk=task_id).first()
    if task is None:
        raise NotFoundError(f"No task {task_id}.", field="id")
    if actor.user is None or task.assignee_id != actor.user.pk:
        check_case_action(actor, task.case, "work_task", also_roles=[task.assignee_role] if task.assignee_role else [])
    given = {
        k: v
        for k, v in {
            "title": title,
            "description": description,
            "status": status,
            "priority": priority,
            "assignee_id": assignee_id,
            "assignee_role": assignee_role,
            "checklist": checklist,
            "due_at": due_at,
        }.items()
        if v is not UNSET
    }
    errors = ErrorList()
    _check_task(errors, given)
    errors.raise_if_any()
    before = task.status
    changed = sorted(k for k, v in given.items() if k not in ("status", "checklist") and getattr(task, k) != v)
    for name, value in given.items():
        setattr(task, name, value)
    if task.status == TaskStatus.DONE and before != TaskStatus.DONE:
        task.completed_at = timezone.now()
    task.save()
    if task.status != before:
        timeline_add(
            task.case,
            "task_status",
            actor,
            f"Task #{task.pk} {task.title}: {before} → {task.status}",
            task_id=task.pk,
            source=before,
            target=task.status,
        )
    if changed:
        # Reassignments and new due dates matter in the review, so they are on the timeline too.
        values = {k: str(getattr(task, k)) if getattr(task, k) is not None else None for k in changed}
        timeline_add(
            task.case,
            "task_updated",
            actor,
            f"Task #{task.pk} {task.title}: {', '.join(changed)} changed",
            task_id=task.pk,
            **values,
        )
    return task
