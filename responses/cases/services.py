"""Writes on crisis cases: opening (by hand or from an alert), lifecycle transitions, links, notes. Every write
adds a timeline event in the same transaction."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from monitoring.models import Alert, Brand, Mention
from monitoring.warning.notifications import LEVEL_NAMES, scope_label
from responses.cases.task_services import ACTION_ITEM_DESCRIPTION, task_create
from responses.cases.timeline import timeline_add
from responses.models import CaseEvent, CaseStatus, CrisisCase, Scenario, Severity, TaskPriority, TaskStatus
from responses.models.cases import LESSON_FIELDS
from responses.models.reports import ReportTrigger
from responses.playbooks.revision_services import Proposal, proposal_record, proposals_check
from responses.playbooks.selectors import playbook_match
from responses.playbooks.services import playbook_activate
from responses.reports.services import report_generate
from responses.team.permissions import check_case_action
from responses.watch.services import watch_start, watch_stop
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM, Principal, check_permission
from tenants.notifications.services import notify

# Which case action (responses.team.CASE_ACTIONS) each transition is, and the timestamp it sets.
TRANSITIONS: dict[str, tuple[str, str]] = {
    "assess": ("assess", "assessing_at"),
    "respond": ("steer", "responding_at"),
    "recover": ("steer", "recovering_at"),
    "resolve": ("steer", "resolved_at"),
    "review": ("steer", "reviewed_at"),
    "reopen": ("steer", "responding_at"),
}
SEVERITY_FOR_LEVEL = {"red": Severity.I, "orange": Severity.II, "yellow": Severity.III, "blue": Severity.IV}


def _check_fields(errors: ErrorList, values: dict[str, Any]) -> None:
    if "title" in values:
        values["title"] = required_text(errors, values["title"], field="title", label="Title", limit=300)
    if "scenario" in values and values["scenario"] not in Scenario.values:
        errors.add(
            "scenario", f"Unknown scenario '{values['scenario']}'; expected one of {', '.join(Scenario.values)}."
        )
    if "severity" in values and values["severity"] not in Severity.values:
        errors.add("severity", f"Unknown severity '{values['severity']}'; expected I, II, III or IV.")
    if "topics" in values and (len(values["topics"]) > 20 or any(len(t) > 100 for t in values["topics"])):
        errors.add("topics", "At most 20 topics of at most 100 characters.")


def _rows(model: Any, ids: list[int] | None, field: str, label: str) -> list[Any]:
    rows = list(model.objects.filter(pk__in=ids or []))
    missing = sorted(set(ids or []) - {row.pk for row in rows})
    if missing:
        raise ValidationError(f"Unknown {label} id {missing[0]}.", field=field)
    return rows


def _link(
    case: CrisisCase, brand_ids: list[int] | None, evidence_ids: list[int] | None, alert_ids: list[int] | None = None
) -> dict[str, list[int]]:
    """Attach brands, evidence mentions and alerts (all checked before any is added); returns the new links."""
    wanted: list[tuple[str, Any, list[Any]]] = [
        ("brand_ids", case.brands, _rows(Brand, brand_ids, "brand_ids", "brand")),
        ("evidence_ids", case.evidence, _rows(Mention, evidence_ids, "evidence_ids", "mention")),
        ("alert_ids", case.alerts, _rows(Alert, alert_ids, "alert_ids", "alert")),
    ]
    added: dict[str, list[int]] = {}
    for field, related, rows in wanted:
        present = set(related.values_list("pk", flat=True))
        new = [row for row in rows if row.pk not in present]
        related.add(*new)
        if new:
            added[field] = [row.pk for row in new]
    return added


@transaction.atomic
def case_link(
    *,
    actor: Principal,
    case_id: int,
    alert_ids: list[int] | None = None,
    brand_ids: list[int] | None = None,
    evidence_ids: list[int] | None = None,
) -> CrisisCase:
    """Attach more alerts, brands or evidence mentions to a case; links already there are left as they are."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "link")
    added = _link(case, brand_ids, evidence_ids, alert_ids)
    if added:
        what = ", ".join(f"{len(ids)} {name.removesuffix('_ids')}" for name, ids in added.items())
        timeline_add(case, "linked", actor, f"Linked {what}", **added)
    return case


@transaction.atomic
def case_create(
    *,
    actor: Principal,
    title: str,
    description: str = "",
    scenario: str = Scenario.OTHER,
    severity: str = Severity.IV,
    is_drill: bool = False,
    topics: list[str] | None = None,
    brand_ids: list[int] | None = None,
    evidence_ids: list[int] | None = None,
    opened_from_alert: Alert | None = None,
    promotion_reason: str = "",
    activate_playbook: bool = True,
) -> CrisisCase:
    """Open a case; unless told not to, the best-matching active playbook for its scenario and severity runs on it
    (tasks, statement drafts) on the system's authority, so whoever opens the case need not command it."""
    check_permission(actor, "cases.work")
    values = {"title": title, "scenario": scenario, "severity": severity, "topics": topics or []}
    errors = ErrorList()
    _check_fields(errors, values)
    errors.raise_if_any()
    case = CrisisCase.objects.create(
        description=description, is_drill=is_drill, opened_by=actor.name, opened_from_alert=opened_from_alert, **values
    )
    drill = " (drill)" if is_drill else ""
    timeline_add(
        case, "opened", actor, f"Case opened{drill}: {case.title}", severity=case.severity, scenario=case.scenario
    )
    playbook = playbook_match(scenario=case.scenario, severity=case.severity) if activate_playbook else None
    # Announced before the links, tasks and statements that follow, so receivers hear of the case first.
    notify(
        event_type="case.opened",
        data={
            "case_id": case.pk,
            "title": case.title,
            "scenario": case.scenario,
            "severity": case.severity,
            "is_drill": case.is_drill,
            "opened_by": case.opened_by,
            "opened_from_alert": opened_from_alert.pk if opened_from_alert else None,
            "playbook": playbook.name if playbook else None,
        },
        title=f"[Severity {case.severity}] Case #{case.pk} opened{drill}: {case.title}",
        text=f"Opened by {case.opened_by}" + (f"; playbook “{playbook.name}” activated." if playbook else "."),
    )
    _link(case, brand_ids, evidence_ids)
    if opened_from_alert is not None:
        alert = opened_from_alert
        case.alerts.add(alert)
        timeline_add(
            case,
            "alert_linked",
            actor,
            f"Opened from alert {alert.pk} ({alert.peak_level}, index {alert.peak_index:.0f})"
            + (f": {promotion_reason}" if promotion_reason else ""),
            alert_id=alert.pk,
        )
    if playbook is not None:
        playbook_activate(actor=SYSTEM, case_id=case.pk, playbook_id=playbook.pk)
    return case


@transaction.atomic
def case_from_alert(
    *,
    actor: Principal,
    alert_id: int,
    title: str = "",
    scenario: str = Scenario.OTHER,
    is_drill: bool = False,
    reason: str = "",
) -> CrisisCase:
    """Promote an alert to a case; severity follows the alert's peak level (red → I … blue → IV)."""
    alert = Alert.objects.select_related("policy").filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(f"No alert {alert_id}.", field="id")
    earlier = CrisisCase.objects.filter(opened_from_alert=alert).first()
    if earlier is not None:
        raise ConflictError(f"Alert {alert_id} already opened case {earlier.pk}.", field="id", code="already_promoted")
    brand_ids = [int(alert.scope.split(":")[1])] if alert.scope.startswith("brand:") else None
    return case_create(
        actor=actor,
        title=title or f"{LEVEL_NAMES[alert.peak_level]} on {scope_label(alert.scope)} ({alert.policy.name})",
        scenario=scenario,
        severity=SEVERITY_FOR_LEVEL[alert.peak_level],
        is_drill=is_drill,
        brand_ids=brand_ids,
        opened_from_alert=alert,
        promotion_reason=reason,
    )


@transaction.atomic
def case_update(
    *,
    actor: Principal,
    case_id: int,
    title: str = UNSET,
    description: str = UNSET,
    scenario: str = UNSET,
    severity: str = UNSET,
    topics: list[str] = UNSET,
) -> CrisisCase:
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "update")
    given = {
        k: v
        for k, v in {
            "title": title,
            "description": description,
            "scenario": scenario,
            "severity": severity,
            "topics": topics,
        }.items()
        if v is not UNSET
    }
    errors = ErrorList()
    _check_fields(errors, given)
    errors.raise_if_any()
    changed = {k: [getattr(case, k), v] for k, v in given.items() if getattr(case, k) != v}
    for name, value in given.items():
        setattr(case, name, value)
    case.save()
    if changed:
        timeline_add(case, "updated", actor, f"Changed {', '.join(changed)}", changes=changed)
    return case


MAX_LESSON_CHARACTERS = 10_000
MAX_ACTION_ITEMS = 50
ACTION_ITEM_FIELDS = ("title", "owner_id", "due_at")


def _review_input(
    case: CrisisCase, lessons: dict[str, Any] | None, action_items: list[Any] | None, revisions: list[Any] | None
) -> tuple[dict[str, str], list[Any], list[Proposal]]:
    """The review's lessons, trimmed and without empty ones, its action items as they are and its playbook revision
    proposals (each checked)."""
    errors = ErrorList()
    kept: dict[str, str] = {}
    if lessons is not None and not isinstance(lessons, dict):
        errors.add("lessons", f"An object with any of {', '.join(LESSON_FIELDS)}.")
    for key, text in (lessons or {}).items():
        if key not in LESSON_FIELDS:
            errors.add(f"lessons.{str(key)[:40]}", f"Unknown field; expected {', '.join(LESSON_FIELDS)}.")
        elif not isinstance(text, str) or len(text) > MAX_LESSON_CHARACTERS:
            errors.add(f"lessons.{key}", f"Text of at most {MAX_LESSON_CHARACTERS} characters.")
        elif text.strip():
            kept[key] = text.strip()
    items = action_items or []
    if not isinstance(items, list) or len(items) > MAX_ACTION_ITEMS:
        errors.add("action_items", f"A list of at most {MAX_ACTION_ITEMS} items.")
        items = []
    for n, item in enumerate(items):
        for key in sorted(set(item) - set(ACTION_ITEM_FIELDS) if isinstance(item, dict) else ()):
            errors.add(f"action_items.{n}.{str(key)[:40]}", f"Unknown field; expected {', '.join(ACTION_ITEM_FIELDS)}.")
        title = item.get("title") if isinstance(item, dict) else None
        if not isinstance(title, str) or not title.strip() or len(title.strip()) > 300:
            errors.add(f"action_items.{n}.title", "Each action item needs a title of at most 300 characters.")
        owner = item.get("owner_id") if isinstance(item, dict) else None
        if owner is not None and not User.objects.filter(pk=owner, is_active=True).exists():
            errors.add(f"action_items.{n}.owner_id", f"No active user {owner}.")
        due = item.get("due_at") if isinstance(item, dict) else None
        if due is not None and (not isinstance(due, datetime) or due.tzinfo is None):
            errors.add(f"action_items.{n}.due_at", "A time with its zone (ISO 8601).")
    proposals = proposals_check(errors, case, revisions, field="playbook_revisions")
    errors.raise_if_any()
    return kept, items, proposals


@transaction.atomic
def case_transition(
    *,
    actor: Principal,
    case_id: int,
    transition: str,
    note: str = "",
    override_reason: str = "",
    lessons: dict[str, Any] | None = None,
    action_items: list[Any] | None = None,
    playbook_revisions: list[Any] | None = None,
) -> CrisisCase:
    """Move the case; `review` also takes the lessons learned, the action items (each made a task on the case) and
    proposed revisions of the playbooks that ran (responses.playbooks.revision_services)."""
    if transition not in TRANSITIONS:
        raise ValidationError(
            f"Unknown transition '{transition}'; expected one of {', '.join(TRANSITIONS)}.", field="transition"
        )
    review_only = (("lessons", lessons), ("action_items", action_items), ("playbook_revisions", playbook_revisions))
    for name, given in review_only:
        if given is not None and transition != "review":
            raise ValidationError(f"Only the review transition takes {name}.", field=name)
    case_action, stamp = TRANSITIONS[transition]
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, case_action)
    method = getattr(case, transition)
    if not can_proceed(method):
        allowed = [name for name in TRANSITIONS if can_proceed(getattr(case, name))]
        raise ConflictError(
            f"A case in '{case.status}' cannot '{transition}'; allowed: {', '.join(allowed) or 'none'}.",
            field="transition",
            code="invalid_transition",
        )
    if transition == "resolve":
        critical = list(
            case.tasks.filter(priority=TaskPriority.CRITICAL, status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
        )
        if critical and not override_reason.strip():
            titles = ", ".join(f"#{t.pk} {t.title}" for t in critical[:5])
            raise ConflictError(
                f"{len(critical)} critical task(s) still open ({titles}); finish them or give an override_reason.",
                field="override_reason",
                code="open_critical_tasks",
            )
        if critical:
            note = f"{note} (override: {override_reason.strip()})".strip()
    kept, items, proposals = (
        _review_input(case, lessons, action_items, playbook_revisions) if transition == "review" else ({}, [], [])
    )
    before = case.status
    method()
    now = timezone.now()
    setattr(case, stamp, now)
    if before == CaseStatus.DETECTED:
        case.acknowledged_at = now
    if transition == "review":
        case.lessons = kept
    case.save()
    timeline_add(
        case,
        "transition",
        actor,
        f"{before} → {case.status}" + (f": {note}" if note else ""),
        transition=transition,
        source=before,
        target=case.status,
        note=note,
        **({"lessons": kept} if transition == "review" else {}),
    )
    if transition == "resolve":
        watch_start(case, now)
    elif transition == "reopen":
        watch_stop(case, now, actor, "the case was reopened")
    for item in items:
        task_create(
            actor=actor,
            case_id=case.pk,
            title=item["title"],
            description=ACTION_ITEM_DESCRIPTION,
            assignee_id=item.get("owner_id"),
            due_at=item.get("due_at"),
        )
    for proposal in proposals:
        proposal_record(actor=actor, case=case, proposal=proposal)
    if transition == "review":
        # After the action items and revisions, which the report lists; in the transaction, so a failed report
        # fails the review.
        report_generate(actor=actor, case_id=case.pk, trigger=ReportTrigger.REVIEWED)
    return case


@transaction.atomic
def case_note_add(*, actor: Principal, case_id: int, text: str) -> CaseEvent:
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "note")
    errors = ErrorList()
    text = required_text(errors, text, field="text", label="Text", limit=10_000)
    errors.raise_if_any()
    return timeline_add(locked_or_404(CrisisCase, case_id, "case"), "note", actor, text)
