"""Writes on commitments: making one from a statement (it opens a case task with the same due time), changing its
description, due time or owner (the task follows), keeping it with a published follow-up statement of the same case
(the task is done), withdrawing it with a reason (the task is cancelled), and the beat that marks the open ones past
due as missed. Every step is on the case's timeline, and so announced (responses.cases.webhook_events)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import can_proceed

from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.timestamps import format_timestamp
from config.validation import UNSET, required_text
from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.cases.task_services import task_create, task_update
from responses.cases.timeline import timeline_add
from responses.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CrisisCase,
    Statement,
    TaskPriority,
    TaskStatus,
)
from responses.team.permissions import check_case_action
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM, Principal

MAX_TEXT = 10_000
TASK_TITLE_CHARS = 300


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError(f"No active user {owner_id}.", field="owner_id")
    return owner


def _statement_on(case: CrisisCase, statement_id: int, field: str) -> Statement:
    statement = Statement.objects.filter(pk=statement_id, case=case).first()
    if statement is None:
        raise ValidationError(f"No statement {statement_id} on case {case.pk}.", field=field)
    return statement


def _check_due(errors: ErrorList, due_at: datetime, now: datetime) -> None:
    if due_at <= now:
        errors.add("due_at", "due_at must be in the future.")


def _task_title(kind: str, description: str) -> str:
    title = f"Commitment ({CommitmentKind(kind).label}): {' '.join(description.split())}"
    return title if len(title) <= TASK_TITLE_CHARS else title[: TASK_TITLE_CHARS - 1] + "…"


def _locked(commitment_id: int) -> Commitment:
    commitment = Commitment.objects.select_for_update().select_related("case").filter(pk=commitment_id).first()
    if commitment is None:
        raise NotFoundError(f"No commitment {commitment_id}.", field="id")
    return commitment


def _refuse(commitment: Commitment, step: str) -> ConflictError:
    return ConflictError(
        f"Commitment {commitment.pk} is {commitment.status}; it cannot be {step}.",
        field="id",
        code="invalid_transition",
    )


@transaction.atomic
def commitment_create(
    *,
    actor: Principal,
    case_id: int,
    statement: int,
    kind: str,
    description: str,
    due_at: datetime,
    owner_id: int | None = None,
) -> Commitment:
    """Record what a statement of the case promised, due at `due_at`, and open the case task that tracks it."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "add_task")
    errors = ErrorList()
    if kind not in CommitmentKind.values:
        errors.add("kind", f"Unknown kind '{kind[:40]}'; expected one of {', '.join(CommitmentKind.values)}.")
    description = required_text(errors, description, field="description", label="Description", limit=MAX_TEXT)
    _check_due(errors, due_at, timezone.now())
    errors.raise_if_any()
    promise = _statement_on(case, statement, "statement")
    owner = _owner(owner_id)
    task = task_create(
        actor=actor,
        case_id=case.pk,
        title=_task_title(kind, description),
        description=description,
        priority=TaskPriority.HIGH,
        assignee_id=owner.pk if owner else None,
        due_at=due_at,
    )
    commitment = Commitment.objects.create(
        case=case,
        statement=promise,
        kind=kind,
        description=description,
        due_at=due_at,
        owner=owner,
        task=task,
        created_by=actor.name,
    )
    timeline_add(
        case,
        "commitment_created",
        actor,
        f"Commitment #{commitment.pk} ({kind}) made in statement #{promise.pk}, due {due_at:%Y-%m-%d %H:%M} UTC",
        commitment_id=commitment.pk,
    )
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: Principal,
    commitment_id: int,
    description: str = UNSET,
    due_at: datetime = UNSET,
    owner_id: int | None = UNSET,
) -> Commitment:
    """Change an open commitment's description, due time (still in the future) or owner; its task follows."""
    commitment = _locked(commitment_id)
    check_case_action(actor, commitment.case, "work_task")
    errors = ErrorList()
    if description is not UNSET:
        description = required_text(errors, description, field="description", label="Description", limit=MAX_TEXT)
    if due_at is not UNSET and due_at != commitment.due_at:
        _check_due(errors, due_at, timezone.now())
    errors.raise_if_any()
    if commitment.status != CommitmentStatus.OPEN:
        raise _refuse(commitment, "changed")
    changed: list[str] = []
    if description is not UNSET and description != commitment.description:
        commitment.description = description
        changed.append("description")
    if due_at is not UNSET and due_at != commitment.due_at:
        commitment.due_at = due_at
        changed.append("due_at")
    if owner_id is not UNSET and owner_id != commitment.owner_id:
        commitment.owner = _owner(owner_id)
        changed.append("owner")
    if not changed:
        return commitment
    commitment.save()
    if commitment.task_id is not None:
        follow: dict[str, Any] = {}
        if "description" in changed:
            follow |= {"title": _task_title(commitment.kind, commitment.description), "description": description}
        if "due_at" in changed:
            follow["due_at"] = commitment.due_at
        if "owner" in changed:
            follow["assignee_id"] = commitment.owner_id
        task_update(actor=actor, task_id=commitment.task_id, **follow)
    timeline_add(
        commitment.case,
        "commitment_updated",
        actor,
        f"Commitment #{commitment.pk}: changed {', '.join(changed)}",
        commitment_id=commitment.pk,
        changed=changed,
    )
    return commitment


def _settle_task(actor: Principal, commitment: Commitment, status: str) -> None:
    task = commitment.task
    if task is not None and task.status != status:
        task_update(actor=actor, task_id=task.pk, status=status)


@transaction.atomic
def commitment_keep(*, actor: Principal, commitment_id: int, follow_up_statement: int) -> Commitment:
    """Mark the promise kept, reported by `follow_up_statement`: another statement of the same case, already
    published (a draft that will report it is linked once it is out). A missed commitment may still be kept late."""
    commitment = _locked(commitment_id)
    check_case_action(actor, commitment.case, "work_task")
    report = _statement_on(commitment.case, follow_up_statement, "follow_up_statement")
    if report.pk == commitment.statement_id:
        raise ValidationError(
            "The follow-up statement must be another statement than the one that made the promise.",
            field="follow_up_statement",
        )
    if not can_proceed(commitment.keep):
        raise _refuse(commitment, "kept")
    if report.published_version is None:
        raise ConflictError(
            f"Statement {report.pk} is not published ({report.status}); publish it, then keep the commitment.",
            field="follow_up_statement",
            code="statement_not_published",
        )
    now = timezone.now()
    commitment.keep()
    commitment.kept_at, commitment.follow_up_statement = now, report
    commitment.save()
    _settle_task(actor, commitment, TaskStatus.DONE)
    late = " (late)" if now > commitment.due_at else ""
    timeline_add(
        commitment.case,
        "commitment_kept",
        actor,
        f"Commitment #{commitment.pk} ({commitment.kind}) kept{late}, reported in statement #{report.pk}",
        commitment_id=commitment.pk,
        follow_up_statement_id=report.pk,
    )
    return commitment


@transaction.atomic
def commitment_withdraw(*, actor: Principal, commitment_id: int, reason: str) -> Commitment:
    """No longer promised: the reason is required and kept; the task is cancelled."""
    errors = ErrorList()
    reason = required_text(errors, reason, field="reason", label="Reason", limit=MAX_TEXT)
    errors.raise_if_any()
    commitment = _locked(commitment_id)
    check_case_action(actor, commitment.case, "work_task")
    if not can_proceed(commitment.withdraw):
        raise _refuse(commitment, "withdrawn")
    commitment.withdraw()
    commitment.withdrawn_at, commitment.withdrawn_reason = timezone.now(), reason
    commitment.save()
    _settle_task(actor, commitment, TaskStatus.CANCELLED)
    timeline_add(
        commitment.case,
        "commitment_withdrawn",
        actor,
        f"Commitment #{commitment.pk} ({commitment.kind}) withdrawn: {reason}",
        commitment_id=commitment.pk,
        reason=reason,
    )
    return commitment


def _past_due(now: datetime) -> QuerySet[Commitment]:
    return Commitment.objects.filter(status=CommitmentStatus.OPEN, due_at__lt=now)


def commitments_missed_check(*, now: datetime | None = None, quarantine: Quarantine | None = None) -> list[Commitment]:
    """Mark open commitments past their due time as missed (the beat). A case whose commitments raise is quarantined
    like its clocks (key: the case id), and the other cases are still checked."""
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    missed: list[Commitment] = []
    for case_id in sorted(set(_past_due(now).values_list("case_id", flat=True))):
        with quarantine.item(case_id):
            missed += case_commitments_check(case_id, now)
    return missed


@transaction.atomic
def case_commitments_check(case_id: int, now: datetime) -> list[Commitment]:
    missed = list(_past_due(now).select_for_update(skip_locked=True).filter(case_id=case_id).order_by("due_at", "id"))
    for commitment in missed:
        commitment.miss()
        commitment.missed_at = now
        commitment.save()
        timeline_add(
            commitment.case,
            "commitment_missed",
            SYSTEM,
            f"Commitment #{commitment.pk} ({commitment.kind}) missed: due {commitment.due_at:%Y-%m-%d %H:%M} UTC",
            commitment_id=commitment.pk,
            due_at=format_timestamp(commitment.due_at),
        )
    return missed
