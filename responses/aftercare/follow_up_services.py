"""Writes on follow-ups: opening one with an affected user, its owner and due time (from the per-type SLA), the
lifecycle open → in_progress → resolved / closed with reopen, notes, replies sent from reply scripts, compensation
and its approval above the tenant's threshold, and the satisfaction score that closes the loop."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import can_proceed

from config.audit import audit
from config.errors import ApplicationError, ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.pii import pii_encrypt
from config.validation import UNSET, required_text
from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.aftercare.contacts import contacts_open
from responses.aftercare.filters import OPEN_STATUSES
from responses.aftercare.settings import aftercare_config, check_amount, check_currency
from responses.cases.timeline import timeline_add
from responses.models import (
    AffectedUser,
    CompensationApproval,
    CrisisCase,
    FollowUp,
    FollowUpNote,
    FollowUpReply,
    FollowUpStatus,
    FollowUpType,
    ReplyChannel,
)
from responses.scripts.services import script_render
from responses.team.permissions import check_case_action
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM, Principal

TRANSITIONS = ("start", "resolve", "close", "reopen")
MAX_TEXT = 10_000


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError(f"No active user {owner_id}.", field="owner_id")
    return owner


def _approval(follow_up: FollowUp) -> str:
    """Whether the compensation on it needs approval: above the threshold, or in another currency than it."""
    if follow_up.compensation_amount is None:
        return CompensationApproval.NOT_NEEDED
    config = aftercare_config()
    if (
        follow_up.compensation_currency == config.compensation_threshold_currency
        and follow_up.compensation_amount <= config.compensation_approval_threshold
    ):
        return CompensationApproval.NOT_NEEDED
    return CompensationApproval.PENDING


def _check_compensation(errors: ErrorList, kind: str, amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return currency.strip().upper()
    if kind != FollowUpType.COMPENSATION:
        errors.add("compensation_amount", "Only compensation follow-ups carry an amount.")
    check_amount(errors, amount, "compensation_amount")
    return check_currency(errors, currency, "compensation_currency")


def _check_scores(errors: ErrorList, csat: int | None, nps: int | None) -> None:
    if csat is not None and not 1 <= csat <= 5:
        errors.add("csat", "csat is a satisfaction score from 1 to 5.")
    if nps is not None and not 0 <= nps <= 10:
        errors.add("nps", "nps is a score from 0 to 10.")


@transaction.atomic
def follow_up_create(
    *,
    actor: Principal,
    case_id: int,
    affected_user_id: int,
    type: str,
    owner_id: int | None = None,
    due_at: datetime | None = None,
    note: str = "",
    compensation_amount: Decimal | None = None,
    compensation_currency: str = "",
) -> FollowUp:
    """Open a follow-up with a person on the case; due by the type's SLA unless `due_at` says otherwise."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "care")
    errors = ErrorList()
    if type not in FollowUpType.values:
        errors.add("type", f"Unknown type '{type[:40]}'; expected one of {', '.join(FollowUpType.values)}.")
    currency = _check_compensation(errors, type, compensation_amount, compensation_currency)
    if len(note) > MAX_TEXT:
        errors.add("note", f"note must be at most {MAX_TEXT} characters.")
    errors.raise_if_any()
    person = AffectedUser.objects.filter(case=case, pk=affected_user_id).first()
    if person is None:
        raise ValidationError(f"No affected user {affected_user_id} on case {case_id}.", field="affected_user_id")
    if person.erased_at is not None or person.archived_at is not None:
        state = "erased" if person.erased_at else "archived"
        raise ConflictError(f"Affected user {person.pk} is {state}.", field="affected_user_id", code=state)
    now = timezone.now()
    follow_up = FollowUp(
        case=case,
        affected_user=person,
        type=type,
        owner=_owner(owner_id),
        due_at=due_at or now + timedelta(minutes=aftercare_config().sla_minutes[type]),
        compensation_amount=compensation_amount,
        compensation_currency=currency if compensation_amount is not None else "",
        created_by=actor.name,
    )
    follow_up.compensation_approval = _approval(follow_up)
    follow_up.save()
    if note.strip():
        FollowUpNote.objects.create(follow_up=follow_up, author=actor.name, text=note.strip())
    timeline_add(
        case,
        "follow_up_opened",
        actor,
        f"Follow-up #{follow_up.pk} ({type}) opened with affected user #{person.pk}",
        follow_up_id=follow_up.pk,
        type=type,
    )
    return follow_up


def _locked(follow_up_id: int) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("case").filter(pk=follow_up_id).first()
    if follow_up is None:
        raise NotFoundError(f"No follow-up {follow_up_id}.", field="id")
    return follow_up


@transaction.atomic
def follow_up_update(
    *,
    actor: Principal,
    follow_up_id: int,
    owner_id: int | None = UNSET,
    due_at: datetime = UNSET,
    compensation_amount: Decimal | None = UNSET,
    compensation_currency: str = UNSET,
    csat: int | None = UNSET,
    nps: int | None = UNSET,
) -> FollowUp:
    """Change the owner, due time, compensation (a changed amount needs approval again) or satisfaction scores."""
    follow_up = _locked(follow_up_id)
    check_case_action(actor, follow_up.case, "care")
    errors = ErrorList()
    amount = follow_up.compensation_amount if compensation_amount is UNSET else compensation_amount
    currency = follow_up.compensation_currency if compensation_currency is UNSET else compensation_currency
    currency = _check_compensation(errors, follow_up.type, amount, currency or "")
    _check_scores(errors, None if csat is UNSET else csat, None if nps is UNSET else nps)
    errors.raise_if_any()
    changed: list[str] = []
    if owner_id is not UNSET and owner_id != follow_up.owner_id:
        follow_up.owner = _owner(owner_id)
        changed.append("owner")
    if due_at is not UNSET and due_at != follow_up.due_at:
        follow_up.due_at, follow_up.overdue_notified_at = due_at, None
        changed.append("due_at")
    if (amount, currency if amount is not None else "") != (
        follow_up.compensation_amount,
        follow_up.compensation_currency,
    ):
        follow_up.compensation_amount = amount
        follow_up.compensation_currency = currency if amount is not None else ""
        follow_up.compensation_approval = _approval(follow_up)
        follow_up.compensation_decided_by, follow_up.compensation_decided_at = "", None
        changed.append("compensation")
    for name, value in (("csat", csat), ("nps", nps)):
        if value is not UNSET and value != getattr(follow_up, name):
            setattr(follow_up, name, value)
            changed.append(name)
    if changed:
        follow_up.save()
        timeline_add(
            follow_up.case,
            "follow_up_updated",
            actor,
            f"Follow-up #{follow_up.pk}: changed {', '.join(changed)}",
            follow_up_id=follow_up.pk,
            changed=changed,
        )
    return follow_up


@transaction.atomic
def follow_up_transition(*, actor: Principal, follow_up_id: int, transition: str, note: str = "") -> FollowUp:
    if transition not in TRANSITIONS:
        raise ValidationError(
            f"Unknown transition '{transition[:40]}'; expected one of {', '.join(TRANSITIONS)}.", field="transition"
        )
    if len(note) > MAX_TEXT:
        raise ValidationError(f"note must be at most {MAX_TEXT} characters.", field="note")
    follow_up = _locked(follow_up_id)
    check_case_action(actor, follow_up.case, "care")
    method = getattr(follow_up, transition)
    if not can_proceed(method):
        allowed = [name for name in TRANSITIONS if can_proceed(getattr(follow_up, name))]
        raise ConflictError(
            f"A follow-up in '{follow_up.status}' cannot '{transition}'; allowed: {', '.join(allowed) or 'none'}.",
            field="transition",
            code="invalid_transition",
        )
    if transition == "resolve" and follow_up.compensation_approval in (
        CompensationApproval.PENDING,
        CompensationApproval.REJECTED,
    ):
        raise ConflictError(
            f"The compensation on follow-up {follow_up.pk} is {follow_up.compensation_approval}; it needs approval "
            "(or a new amount) before the follow-up is resolved.",
            field="transition",
            code="compensation_not_approved",
        )
    before = follow_up.status
    method()
    now = timezone.now()
    if transition == "resolve":
        follow_up.resolved_at = now
    elif transition == "close":
        follow_up.closed_at = now
        follow_up.resolved_at = follow_up.resolved_at or now
    elif transition == "reopen":
        follow_up.resolved_at, follow_up.closed_at, follow_up.overdue_notified_at = None, None, None
    follow_up.save()
    if note.strip():
        FollowUpNote.objects.create(follow_up=follow_up, author=actor.name, text=note.strip())
    timeline_add(
        follow_up.case,
        "follow_up_transition",
        actor,
        f"Follow-up #{follow_up.pk}: {before} → {follow_up.status}",
        follow_up_id=follow_up.pk,
        transition=transition,
        source=before,
        target=follow_up.status,
    )
    return follow_up


@transaction.atomic
def follow_up_note_add(*, actor: Principal, follow_up_id: int, text: str) -> FollowUpNote:
    follow_up = _locked(follow_up_id)
    check_case_action(actor, follow_up.case, "care")
    errors = ErrorList()
    text = required_text(errors, text, field="text", label="Text", limit=MAX_TEXT)
    errors.raise_if_any()
    return FollowUpNote.objects.create(follow_up=follow_up, author=actor.name, text=text)


def person_variables(person: AffectedUser, case: CrisisCase) -> dict[str, str]:
    """What a reply script may say about the person: their name and order number, and the case."""
    contacts = contacts_open(person)
    return {
        "customer_name": contacts.handle,
        "handle": contacts.handle,
        "order_number": contacts.order_number,
        "order_id": contacts.order_number,
        "case_title": case.title,
    }


@transaction.atomic
def follow_up_reply(
    *,
    actor: Principal,
    follow_up_id: int,
    channel: str,
    script_id: int | None = None,
    variables: dict[str, Any] | None = None,
    text: str = "",
    sent_at: datetime | None = None,
) -> tuple[FollowUpReply, str]:
    """Record a reply sent to the person: a reply script rendered with the person's variables (their name, order
    number; `variables` add or override), or a text. The first reply is the first contact, and starts an open
    follow-up. Returns the reply and its text."""
    follow_up = _locked(follow_up_id)
    check_case_action(actor, follow_up.case, "care")
    errors = ErrorList()
    if channel not in ReplyChannel.values:
        errors.add("channel", f"Unknown channel '{channel[:40]}'; expected one of {', '.join(ReplyChannel.values)}.")
    if (script_id is None) == (not text.strip()):
        errors.add("script_id", "Give either a script_id or a text.")
    if len(text) > MAX_TEXT:
        errors.add("text", f"text must be at most {MAX_TEXT} characters.")
    now = timezone.now()
    if sent_at is not None and sent_at > now + timedelta(minutes=5):
        errors.add("sent_at", "sent_at is in the future.")
    errors.raise_if_any()
    if follow_up.status == FollowUpStatus.CLOSED:
        raise ConflictError(f"Follow-up {follow_up.pk} is closed; reopen it first.", field="id", code="closed")
    person = follow_up.affected_user
    if person.erased_at is not None:
        raise ConflictError(f"Affected user {person.pk} was erased.", field="id", code="erased")
    if script_id is not None:
        given = {**person_variables(person, follow_up.case), **(variables or {})}
        # The care check above is this caller's right to reply; rendering counts the script's use.
        body = script_render(actor=SYSTEM, script_id=script_id, variables=given)
        audit(
            actor=actor,
            action="affected_user.contacts_used",
            target=person,
            details={"case_id": follow_up.case_id, "follow_up_id": follow_up.pk, "script_id": script_id},
        )
    else:
        body = text.strip()
    reply = FollowUpReply.objects.create(
        follow_up=follow_up,
        script_id=script_id,
        text_token=pii_encrypt(body),
        channel=channel,
        sent_at=sent_at or now,
        sent_by=actor.name,
    )
    if follow_up.first_contact_at is None or reply.sent_at < follow_up.first_contact_at:
        follow_up.first_contact_at = reply.sent_at
    if follow_up.status == FollowUpStatus.OPEN:
        follow_up.start()
    follow_up.save()
    timeline_add(
        follow_up.case,
        "follow_up_reply_sent",
        actor,
        f"Follow-up #{follow_up.pk}: reply sent by {channel}" + (f" from script {script_id}" if script_id else ""),
        follow_up_id=follow_up.pk,
        channel=channel,
        script_id=script_id,
    )
    return reply, body


@transaction.atomic
def follow_up_compensation_decide(*, actor: Principal, follow_up_id: int, decision: str, comment: str = "") -> FollowUp:
    """Approve or reject a compensation waiting for approval."""
    if decision not in ("approve", "reject"):
        raise ValidationError(f"Unknown decision '{decision[:40]}'; expected approve or reject.", field="decision")
    if len(comment) > MAX_TEXT:
        raise ValidationError(f"comment must be at most {MAX_TEXT} characters.", field="comment")
    follow_up = _locked(follow_up_id)
    check_case_action(actor, follow_up.case, "approve_compensation")
    if follow_up.compensation_approval != CompensationApproval.PENDING:
        raise ConflictError(
            f"Follow-up {follow_up.pk} has no compensation waiting for approval ({follow_up.compensation_approval}).",
            field="id",
            code="not_pending",
        )
    follow_up.compensation_approval = (
        CompensationApproval.APPROVED if decision == "approve" else CompensationApproval.REJECTED
    )
    follow_up.compensation_decided_by, follow_up.compensation_decided_at = actor.name, timezone.now()
    follow_up.save()
    if comment.strip():
        FollowUpNote.objects.create(follow_up=follow_up, author=actor.name, text=comment.strip())
    timeline_add(
        follow_up.case,
        "compensation_decided",
        actor,
        f"Follow-up #{follow_up.pk}: compensation {follow_up.compensation_amount} {follow_up.compensation_currency} "
        f"{follow_up.compensation_approval}",
        follow_up_id=follow_up.pk,
        decision=follow_up.compensation_approval,
    )
    return follow_up


def _overdue(now: datetime) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now, overdue_notified_at__isnull=True)


def follow_ups_overdue_check(*, now: datetime | None = None, quarantine: Quarantine | None = None) -> list[FollowUp]:
    """Flag and notify follow-ups that went past due while open or in progress, each once per due time (the beat,
    with the case clocks). A case whose follow-ups raise is quarantined like its clocks (key: the case id)."""
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    flagged: list[FollowUp] = []
    for case_id in sorted(set(_overdue(now).values_list("case_id", flat=True))):
        with quarantine.item(case_id):
            flagged += case_follow_ups_check(case_id, now)
    return flagged


@transaction.atomic
def case_follow_ups_check(case_id: int, now: datetime) -> list[FollowUp]:
    flagged = list(_overdue(now).select_for_update(skip_locked=True).filter(case_id=case_id).order_by("due_at", "id"))
    for follow_up in flagged:
        follow_up.overdue_notified_at = now
        follow_up.save(update_fields=["overdue_notified_at", "updated_at"])
        timeline_add(
            follow_up.case,
            "follow_up_overdue",
            SYSTEM,
            f"Follow-up #{follow_up.pk} ({follow_up.type}) is past due",
            follow_up_id=follow_up.pk,
            due_at=follow_up.due_at.isoformat(),
        )
    return flagged


BULK_ACTIONS = ("assign", "send_script", "close")
BULK_LIMIT = 200


@transaction.atomic
def follow_ups_bulk(
    *,
    actor: Principal,
    ids: list[int],
    action: str,
    owner_id: int | None = None,
    script_id: int | None = None,
    channel: str = "",
    variables: dict[str, Any] | None = None,
    note: str = "",
) -> list[FollowUp]:
    """One action on many follow-ups, all or nothing: `assign` to `owner_id`, `send_script` (`script_id` rendered
    for each person, on `channel`), or `close`. Each follow-up is checked as if done alone; the first that is refused
    refuses the whole request, naming it (`ids.<n>`), and nothing is written."""
    errors = ErrorList()
    if action not in BULK_ACTIONS:
        errors.add("action", f"Unknown action '{action[:40]}'; expected one of {', '.join(BULK_ACTIONS)}.")
    if not 1 <= len(ids) <= BULK_LIMIT:
        errors.add("ids", f"Give 1 to {BULK_LIMIT} follow-up ids.")
    elif len(set(ids)) != len(ids):
        errors.add("ids", "ids lists a follow-up twice.")
    if action == "assign" and owner_id is None:
        errors.add("owner_id", "owner_id is required to assign.")
    if action == "send_script" and (script_id is None or not channel):
        errors.add("script_id", "script_id and channel are required to send a script.")
    errors.raise_if_any()
    found = set(FollowUp.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"Unknown follow-up id {missing[0]}.", field=f"ids.{ids.index(missing[0])}")
    done: list[FollowUp] = []
    for index, follow_up_id in enumerate(ids):
        try:
            if action == "assign":
                done.append(follow_up_update(actor=actor, follow_up_id=follow_up_id, owner_id=owner_id))
            elif action == "send_script":
                follow_up_reply(
                    actor=actor,
                    follow_up_id=follow_up_id,
                    channel=channel,
                    script_id=script_id,
                    variables=variables,
                )
                done.append(_locked(follow_up_id))
            else:
                current = _locked(follow_up_id)
                if current.status != FollowUpStatus.CLOSED:
                    current = follow_up_transition(
                        actor=actor, follow_up_id=follow_up_id, transition="close", note=note
                    )
                done.append(current)
        except ApplicationError as exc:
            raise type(exc)(f"Follow-up {follow_up_id}: {exc.message}", field=f"ids.{index}", code=exc.code) from exc
    return done
