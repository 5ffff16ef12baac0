"""What each step on a case's timeline tells the tenant's notification channels: the catalogue event
(tenants/notifications/catalogue.py), its payload, and the line a chat robot shows.

Every write on a case adds a timeline entry (responses.cases.timeline), so announcing from there covers every step. Each
timeline kind is listed below; an unlisted kind is an error, so a new step cannot go unannounced. The deliveries are
rows in the same transaction and are sent after commit: a step that rolls back sends nothing.
"""

from collections.abc import Callable
from typing import Any

from config.timestamps import format_timestamp
from responses.models import (
    ApprovalDecision,
    CaseEvent,
    CaseTask,
    Commitment,
    CrisisCase,
    FollowUp,
    Statement,
    StatementApproval,
    StatementPublication,
    StatementStatus,
    TaskStatus,
)
from tenants.identity.models import User
from tenants.notifications.services import notify

Announcement = tuple[str, dict[str, Any]]

TRANSITION_EVENTS = {
    "assess": "case.assessment_started",
    "respond": "case.response_started",
    "recover": "case.recovery_started",
    "resolve": "case.resolved",
    "review": "case.reviewed",
    "reopen": "case.reopened",
}
CLOSED_TASK = (TaskStatus.DONE, TaskStatus.CANCELLED)


def _stamp(value: Any) -> str | None:
    return format_timestamp(value) if value is not None else None


def _case(case: CrisisCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "status": case.status,
        "severity": case.severity,
        "scenario": case.scenario,
        "is_drill": case.is_drill,
    }


def _user(user: User) -> dict[str, Any]:
    return {"id": user.pk, "email": user.email, "name": user.name}


def _task(task: CaseTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "assignee": _user(task.assignee) if task.assignee else None,
        "assignee_role": task.assignee_role or None,
        "due_at": _stamp(task.due_at),
        "completed_at": _stamp(task.completed_at),
    }


def _statement(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "title": statement.title,
        "status": statement.status,
        "current_version": statement.current_version,
        "published_version": statement.published_version,
        "required_approvals": list(statement.required_approvals),
        "supersedes_id": statement.supersedes_id,
    }


def _tasks(ids: list[int]) -> list[CaseTask]:
    return list(CaseTask.objects.select_related("assignee").filter(pk__in=ids).order_by("id"))


def _with_assignment(task: CaseTask) -> list[Announcement]:
    created: list[Announcement] = [("task.created", {"task": _task(task)})]
    if task.assignee_id is not None or task.assignee_role:
        created.append(("task.assigned", {"task": _task(task)}))
    return created


def _statement_of(event: CaseEvent, *announcements: tuple[str, dict[str, Any]]) -> list[Announcement]:
    statement = Statement.objects.get(pk=event.data["statement_id"])
    base = {"statement": _statement(statement), "version": event.data.get("version", statement.current_version)}
    return [(name, {**base, **extra}) for name, extra in announcements]


def _transition(event: CaseEvent) -> list[Announcement]:
    data = event.data
    return [(TRANSITION_EVENTS[data["transition"]], {"from_status": data["source"], "note": data["note"]})]


def _linked(event: CaseEvent) -> list[Announcement]:
    data = event.data
    if "alert_id" in data:
        return [("case.linked", {"alert_ids": [data["alert_id"]], "brand_ids": [], "evidence_ids": []})]
    ids = {field: data.get(field, []) for field in ("alert_ids", "brand_ids", "evidence_ids")}
    return [("case.linked", ids)]


def _member(name: str) -> Callable[[CaseEvent], list[Announcement]]:
    def announce(event: CaseEvent) -> list[Announcement]:
        user = User.objects.get(pk=event.data["user_id"])
        return [(name, {"member": {"user": _user(user), "role": event.data["role"]}})]

    return announce


def _task_created(event: CaseEvent) -> list[Announcement]:
    return [announcement for task in _tasks([event.data["task_id"]]) for announcement in _with_assignment(task)]


def _task_status(event: CaseEvent) -> list[Announcement]:
    (task,) = _tasks([event.data["task_id"]])
    source, target = event.data["source"], task.status
    if target == TaskStatus.DONE:
        name = "task.completed"
    elif target == TaskStatus.CANCELLED:
        name = "task.cancelled"
    elif source in CLOSED_TASK:
        name = "task.reopened"
    elif target == TaskStatus.IN_PROGRESS:
        name = "task.started"
    else:
        return [("task.updated", {"task": _task(task), "changed": ["status"]})]
    return [(name, {"task": _task(task), "from_status": source})]


def _task_updated(event: CaseEvent) -> list[Announcement]:
    (task,) = _tasks([event.data["task_id"]])
    changed = sorted(set(event.data) - {"task_id"})
    announced: list[Announcement] = []
    if {"assignee_id", "assignee_role"} & set(changed):
        announced.append(("task.assigned", {"task": _task(task)}))
    rest = [field for field in changed if field not in ("assignee_id", "assignee_role")]
    if rest:
        announced.append(("task.updated", {"task": _task(task), "changed": rest}))
    return announced


def _playbook_activated(event: CaseEvent) -> list[Announcement]:
    data = event.data
    playbook = {"id": data["playbook_id"], "name": data["playbook_name"], "version": data["version"]}
    announced: list[Announcement] = [("playbook.activated", {"playbook": playbook, "task_ids": data["task_ids"]})]
    return announced + [a for task in _tasks(data["task_ids"]) for a in _with_assignment(task)]


def _playbook_revised(event: CaseEvent) -> list[Announcement]:
    data = event.data
    playbook = {"id": data["playbook_id"], "name": data["playbook_name"], "version": data["version"]}
    step = {"playbook": playbook, "revision_id": data["revision_id"], "base_version": data["base_version"]}
    return [("playbook.revised", step)]


def _submitted(event: CaseEvent) -> list[Announcement]:
    statement = Statement.objects.get(pk=event.data["statement_id"])
    steps: list[tuple[str, dict[str, Any]]] = [
        ("statement.submitted", {"approvals_due": list(statement.required_approvals)})
    ]
    if statement.status == StatementStatus.APPROVED:
        steps.append(("statement.approved", {}))
    return _statement_of(event, *steps)


def _decision(event: CaseEvent, decision: str) -> StatementApproval:
    return StatementApproval.objects.filter(
        statement_id=event.data["statement_id"],
        version=event.data["version"],
        role=event.data["role"],
        decision=decision,
    ).latest("at", "id")


def _approved(event: CaseEvent) -> list[Announcement]:
    approval = _decision(event, ApprovalDecision.APPROVED)
    step = {
        "approval": {"role": approval.role, "approver": approval.approver_name, "comment": approval.comment},
        "still_due": event.data["still_due"],
    }
    steps: list[tuple[str, dict[str, Any]]] = [("approval.granted", step)]
    if not event.data["still_due"]:
        steps.append(("statement.approved", {}))
    return _statement_of(event, *steps)


def _rejected(event: CaseEvent) -> list[Announcement]:
    rejection = _decision(event, ApprovalDecision.REJECTED)
    return _statement_of(event, ("statement.rejected", {"role": rejection.role, "comment": rejection.comment}))


def _published(event: CaseEvent) -> list[Announcement]:
    data = event.data
    versions = StatementPublication.objects.filter(statement_id=data["statement_id"], version=data["version"])
    publication = versions.get(channel=data["channel"])
    step = {
        "publication": {
            "channel": publication.channel,
            "url": publication.url,
            "published_at": format_timestamp(publication.published_at),
        }
    }
    steps: list[tuple[str, dict[str, Any]]] = [("publication.recorded", step)]
    if versions.count() == 1:
        steps.append(("statement.published", step))
    return _statement_of(event, *steps)


def _one(name: str, **fields: str) -> Callable[[CaseEvent], list[Announcement]]:
    """A case step announced as one event whose extra fields are timeline data keys (payload field → data key)."""

    def announce(event: CaseEvent) -> list[Announcement]:
        return [(name, {field: event.data[key] for field, key in fields.items()})]

    return announce


def _statement_one(name: str, **fields: str) -> Callable[[CaseEvent], list[Announcement]]:
    """A statement step announced as one event, like `_one`, with the statement as it is now."""

    def announce(event: CaseEvent) -> list[Announcement]:
        return _statement_of(event, (name, {field: event.data[key] for field, key in fields.items()}))

    return announce


# Timeline kind → what it announces. None: the service that writes the entry announces it itself, with a payload
# of its own (case.opened carries the playbook chosen after the entry is written; SLA and escalation are the
# clocks' events).
FOLLOW_UP_MOVES = {
    "start": "follow_up.started",
    "resolve": "follow_up.resolved",
    "close": "follow_up.closed",
    "reopen": "follow_up.reopened",
}


def _follow_up(follow_up: FollowUp) -> dict[str, Any]:
    amount = follow_up.compensation_amount
    return {
        "id": follow_up.pk,
        "type": follow_up.type,
        "status": follow_up.status,
        "affected_user_id": follow_up.affected_user_id,
        "owner": _user(follow_up.owner) if follow_up.owner else None,
        "due_at": format_timestamp(follow_up.due_at),
        "first_contact_at": _stamp(follow_up.first_contact_at),
        "compensation_amount": str(amount) if amount is not None else None,
        "compensation_currency": follow_up.compensation_currency,
        "compensation_approval": follow_up.compensation_approval,
        "csat": follow_up.csat,
        "nps": follow_up.nps,
    }


def _follow_up_one(name: str, **fields: str) -> Callable[[CaseEvent], list[Announcement]]:
    def announce(event: CaseEvent) -> list[Announcement]:
        follow_up = FollowUp.objects.select_related("owner").get(pk=event.data["follow_up_id"])
        extra = {key: event.data.get(source) for key, source in fields.items()}
        return [(name, {"follow_up": _follow_up(follow_up), **extra})]

    return announce


def _follow_up_moved(event: CaseEvent) -> list[Announcement]:
    follow_up = FollowUp.objects.select_related("owner").get(pk=event.data["follow_up_id"])
    name = FOLLOW_UP_MOVES[event.data["transition"]]
    return [(name, {"follow_up": _follow_up(follow_up), "from_status": event.data["source"]})]


def _commitment(commitment: Commitment) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "kind": commitment.kind,
        "description": commitment.description,
        "status": commitment.status,
        "due_at": format_timestamp(commitment.due_at),
        "owner": _user(commitment.owner) if commitment.owner else None,
        "statement_id": commitment.statement_id,
        "follow_up_statement_id": commitment.follow_up_statement_id,
        "task_id": commitment.task_id,
        "kept_at": _stamp(commitment.kept_at),
        "missed_at": _stamp(commitment.missed_at),
        "withdrawn_reason": commitment.withdrawn_reason,
    }


def _commitment_one(name: str, **fields: str) -> Callable[[CaseEvent], list[Announcement]]:
    def announce(event: CaseEvent) -> list[Announcement]:
        commitment = Commitment.objects.select_related("owner").get(pk=event.data["commitment_id"])
        return [(name, {"commitment": _commitment(commitment), **{k: event.data[v] for k, v in fields.items()}})]

    return announce


ANNOUNCERS: dict[str, Callable[[CaseEvent], list[Announcement]] | None] = {
    "opened": None,
    "sla_breached": None,
    "escalated": None,
    "updated": _one("case.updated", changes="changes"),
    "transition": _transition,
    "note": lambda event: [("case.note_added", {"text": event.summary})],
    "linked": _linked,
    "alert_linked": _linked,
    "member_added": _member("case.member_added"),
    "member_removed": _member("case.member_removed"),
    "playbook_activated": _playbook_activated,
    # A proposal (or turning one down) changes no playbook; receivers hear when one is applied.
    "playbook_revision_proposed": lambda event: [],
    "playbook_revision_rejected": lambda event: [],
    "playbook_revised": _playbook_revised,
    "task_created": _task_created,
    "task_status": _task_status,
    "task_updated": _task_updated,
    "statement_created": _statement_one("statement.drafted"),
    "statement_edited": _statement_one("statement.revised"),
    "statement_submitted": _submitted,
    "statement_approved": _approved,
    "statement_rejected": _rejected,
    "statement_published": _published,
    "statement_retracted": _statement_one("statement.retracted", channels="channels", reason="reason"),
    "statement_superseded": _statement_one("statement.superseded", superseded_by="superseded_by"),
    # A reply to one user is no news for the channels; the entry is there for the case's response effects.
    "script_used": lambda event: [],
    # Affected users stay off webhooks: receivers are outside the tenant, and these entries are about people.
    "affected_users_added": None,
    "affected_user_archived": None,
    "affected_user_erased": None,
    "follow_up_opened": _follow_up_one("follow_up.opened"),
    "follow_up_updated": _follow_up_one("follow_up.updated", changed="changed"),
    "follow_up_transition": _follow_up_moved,
    "follow_up_reply_sent": _follow_up_one("follow_up.reply_sent", channel="channel", script_id="script_id"),
    "compensation_decided": _follow_up_one("follow_up.compensation_decided"),
    "follow_up_overdue": _follow_up_one("follow_up.overdue"),
    "commitment_created": _commitment_one("commitment.created"),
    "commitment_updated": _commitment_one("commitment.updated", changed="changed"),
    "commitment_kept": _commitment_one("commitment.kept"),
    "commitment_missed": _commitment_one("commitment.missed"),
    "commitment_withdrawn": _commitment_one("commitment.withdrawn"),
    "recovered": _one("case.recovered", recovered_at="recovered_at", hours_to_recovery="hours_to_recovery"),
    "recurrence": _one("case.recurrence", alert_id="alert_id", level="level", opened_at="opened_at"),
    # The watch's start and end are the resolution's and the reopening's news, or a person's own act.
    "watch_started": None,
    "watch_ended": None,
    "report_generated": _one("report.generated", version="version", trigger="trigger", final="final"),
}


def timeline_announce(event: CaseEvent) -> None:
    """Queue the webhook events of one timeline entry, in the entry's transaction."""
    try:
        announcer = ANNOUNCERS[event.kind]
    except KeyError:
        raise ValueError(f"timeline kind {event.kind!r} announces nothing; add it to ANNOUNCERS") from None
    if announcer is None:
        return
    case = event.case
    drill = " [drill]" if case.is_drill else ""
    step = {
        "case": _case(case),
        "actor": event.actor,
        "at": format_timestamp(event.at),
        "summary": event.summary,
        "timeline_event_id": event.pk,
    }
    for name, extra in announcer(event):
        notify(
            event_type=name,
            data={**step, **extra},
            title=f"[Severity {case.severity}] Case #{case.pk} {case.title}{drill}",
            text=event.summary,
        )
