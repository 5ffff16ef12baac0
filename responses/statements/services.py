"""Writes on crisis statements: drafting and versions, ordered approvals by case roles, publishing per channel,
retraction and replacement. Every write adds a timeline event on the statement's case in the same transaction."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from config.errors import ConflictError, ErrorList, NotFoundError, PermissionDeniedError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET, required_text
from responses.cases.timeline import timeline_add
from responses.models import (
    ApprovalDecision,
    CaseRole,
    CaseStatus,
    Channel,
    CrisisCase,
    Statement,
    StatementApproval,
    StatementPublication,
    StatementStatus,
    StatementVersion,
)
from responses.models.statements import default_approvals
from responses.statements.diffs import body_diff
from responses.team.permissions import check_case_action, roles_held
from tenants.identity.principals import SYSTEM, Principal, permission_guards_check

MAX_BODY = 20_000
# Channels where a statement may have no address of its own (a press conference, a mail-out, a text message).
URL_OPTIONAL = {Channel.PRESS, Channel.EMAIL, Channel.SMS}
# Tolerated clock difference between the caller and us when a publication time is given.
CLOCK_SKEW = timedelta(minutes=1)


def _locked(statement_id: int) -> Statement:
    """The statement and its case, both locked for the rest of the transaction."""
    statement = Statement.objects.select_for_update().select_related("case").filter(pk=statement_id).first()
    if statement is None:
        raise NotFoundError(f"No statement {statement_id}.", field="id")
    return statement


def _check_case_open(case: CrisisCase) -> None:
    if case.status in (CaseStatus.RESOLVED, CaseStatus.REVIEWED):
        raise ConflictError(
            f"Case {case.pk} is {case.status}; reopen it to work on statements.", field="case_id", code="case_closed"
        )


def _check_can(statement: Statement, method: Callable[[], Any], verb: str) -> None:
    if not can_proceed(method):
        raise ConflictError(
            f"A statement in '{statement.status}' cannot be {verb}.", field="status", code="invalid_transition"
        )


def _check_approvals(errors: ErrorList, roles: Any) -> list[str]:
    if not isinstance(roles, list):
        errors.add("required_approvals", "A list of case roles, in approval order.")
        return []
    for n, role in enumerate(roles):
        if role not in CaseRole.values:
            errors.add(
                f"required_approvals.{n}", f"Unknown case role '{role}'; expected one of {', '.join(CaseRole.values)}."
            )
    if len(set(roles)) != len(roles):
        errors.add("required_approvals", "Each role approves once; remove the duplicates.")
    return list(roles)


def _supersedable(case: CrisisCase, supersedes_id: int | None) -> Statement | None:
    if supersedes_id is None:
        return None
    old = Statement.objects.filter(pk=supersedes_id, case=case).first()
    if old is None:
        raise ValidationError(f"No statement {supersedes_id} on case {case.pk} to supersede.", field="supersedes_id")
    return old


@transaction.atomic
def statement_create(
    *,
    actor: Principal,
    case_id: int,
    title: str,
    body: str,
    required_approvals: list[str] | None = None,
    supersedes_id: int | None = None,
) -> Statement:
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "write_statement")
    _check_case_open(case)
    errors = ErrorList()
    title = required_text(errors, title, field="title", label="Title", limit=300)
    body = required_text(errors, body, field="body", label="Body", limit=MAX_BODY)
    roles = _check_approvals(errors, default_approvals() if required_approvals is None else required_approvals)
    errors.raise_if_any()
    old = _supersedable(case, supersedes_id)
    statement = Statement.objects.create(
        case=case, title=title, required_approvals=roles, supersedes=old, created_by=actor.name
    )
    StatementVersion.objects.create(statement=statement, number=1, title=title, body=body, author=actor.name)
    replaces = f", to replace #{old.pk}" if old else ""
    timeline_add(
        case,
        "statement_created",
        actor,
        f"Statement #{statement.pk} drafted: {title}{replaces}",
        statement_id=statement.pk,
        version=1,
    )
    return statement


@transaction.atomic
def statement_edit(*, actor: Principal, statement_id: int, title: str = UNSET, body: str = UNSET) -> Statement:
    """A new version when the text changes; any approval of the old version stops counting."""
    statement = _locked(statement_id)
    check_case_action(actor, statement.case, "write_statement")
    _check_case_open(statement.case)
    _check_can(statement, statement.revise, "edited")
    current = statement.versions.get(number=statement.current_version)
    errors = ErrorList()
    new_title = (
        current.title if title is UNSET else required_text(errors, title, field="title", limit=300, label="Title")
    )
    new_body = (
        current.body if body is UNSET else required_text(errors, body, field="body", label="Body", limit=MAX_BODY)
    )
    errors.raise_if_any()
    if (new_title, new_body) == (current.title, current.body):
        return statement
    number = statement.current_version + 1
    diff = body_diff(current.body, new_body, from_label=f"v{current.number}", to_label=f"v{number}")
    StatementVersion.objects.create(
        statement=statement, number=number, title=new_title, body=new_body, diff=diff, author=actor.name
    )
    before = statement.status
    statement.revise()
    statement.title, statement.current_version = new_title, number
    statement.save()
    back = f" ({before} → draft)" if before != StatementStatus.DRAFT else ""
    timeline_add(
        statement.case,
        "statement_edited",
        actor,
        f"Statement #{statement.pk} edited: v{number}{back}",
        statement_id=statement.pk,
        version=number,
    )
    return statement


@transaction.atomic
def statement_submit(*, actor: Principal, statement_id: int) -> Statement:
    statement = _locked(statement_id)
    check_case_action(actor, statement.case, "write_statement")
    _check_case_open(statement.case)
    _check_can(statement, statement.submit, "submitted")
    statement.submit()
    statement.submitted_at = timezone.now()
    statement.save()
    due = ", ".join(statement.required_approvals) or "nobody (approved at once)"
    timeline_add(
        statement.case,
        "statement_submitted",
        actor,
        f"Statement #{statement.pk} v{statement.current_version} submitted for approval by {due}",
        statement_id=statement.pk,
        version=statement.current_version,
    )
    return statement


def pending_roles(statement: Statement, approved: list[StatementApproval] | None = None) -> list[str]:
    """Required roles that have not yet approved the current version in this round, in approval order.

    `approved`: the statement's approvals with decision approved, when a list read fetched them for many at once.
    """
    if statement.status != StatementStatus.IN_REVIEW:
        return []
    if approved is None:
        approved = list(StatementApproval.objects.filter(statement=statement, decision=ApprovalDecision.APPROVED))
    done = {
        a.role
        for a in approved
        if a.version == statement.current_version
        and statement.submitted_at is not None
        and a.at >= statement.submitted_at
    }
    return [role for role in statement.required_approvals if role not in done]


def _check_approver(statement: Statement, actor: Principal) -> None:
    """Only those holding one of the statement's approval roles on its case decide on it; no tenant role does."""
    if actor is SYSTEM:
        return
    if roles_held(statement.case, actor) & set(statement.required_approvals):
        permission_guards_check(actor, "cases.work")
        return
    roles = " or ".join(statement.required_approvals) or "no role (it needs no approval)"
    raise PermissionDeniedError(
        f"Only {roles} on case {statement.case_id} may decide on statement {statement.pk}.", code="permission_denied"
    )


def _record(statement: Statement, actor: Principal, role: str, decision: str, comment: str) -> StatementApproval:
    return StatementApproval.objects.create(
        statement=statement,
        version=statement.current_version,
        role=role,
        approver=actor.user,
        approver_name=actor.name,
        decision=decision,
        comment=comment,
    )


@transaction.atomic
def statement_approve(*, actor: Principal, statement_id: int, comment: str = "") -> Statement:
    """Approval by the next role due, from someone holding that role on the case (whatever their tenant role)."""
    statement = _locked(statement_id)
    _check_approver(statement, actor)
    _check_case_open(statement.case)
    _check_can(statement, statement.approve, "approved")
    pending = pending_roles(statement)
    due = pending[0]
    if actor is not SYSTEM and due not in roles_held(statement.case, actor):
        raise PermissionDeniedError(
            f"Approval by {due} is due first; {actor.name} does not hold {due} on case {statement.case_id}.",
            code="permission_denied",
        )
    _record(statement, actor, due, ApprovalDecision.APPROVED, comment.strip())
    if len(pending) == 1:
        statement.approve()
        statement.save()
    rest = f"; {', '.join(pending[1:])} still due" if len(pending) > 1 else "; fully approved"
    timeline_add(
        statement.case,
        "statement_approved",
        actor,
        f"Statement #{statement.pk} v{statement.current_version} approved by {due}{rest}",
        statement_id=statement.pk,
        version=statement.current_version,
        role=due,
        still_due=pending[1:],
    )
    return statement


@transaction.atomic
def statement_reject(*, actor: Principal, statement_id: int, comment: str) -> Statement:
    """Any required approver may send the statement back to draft, with a reason."""
    errors = ErrorList()
    comment = required_text(errors, comment, field="comment", label="A reason for the rejection", limit=5000)
    errors.raise_if_any()
    statement = _locked(statement_id)
    _check_approver(statement, actor)
    _check_case_open(statement.case)
    _check_can(statement, statement.reject, "rejected")
    held = set(statement.required_approvals) if actor is SYSTEM else roles_held(statement.case, actor)
    roles = [role for role in pending_roles(statement) + statement.required_approvals if role in held]
    _record(statement, actor, roles[0], ApprovalDecision.REJECTED, comment)
    statement.reject()
    statement.save()
    timeline_add(
        statement.case,
        "statement_rejected",
        actor,
        f"Statement #{statement.pk} v{statement.current_version} rejected by {roles[0]}: {comment}",
        statement_id=statement.pk,
        version=statement.current_version,
        role=roles[0],
    )
    return statement


def _check_publication(channel: str, url: str, published_at: datetime | None) -> str:
    errors = ErrorList()
    if channel not in Channel.values:
        errors.add("channel", f"Unknown channel '{channel}'; expected one of {', '.join(Channel.values)}.")
    url = url.strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000):
        errors.add("url", "URL must be an http:// or https:// address of at most 2000 characters.")
    elif not url and channel in Channel.values and channel not in URL_OPTIONAL:
        errors.add("url", f"A URL is required for {channel}.")
    if published_at is not None and published_at > timezone.now() + CLOCK_SKEW:
        errors.add("published_at", "Publication time cannot be in the future.")
    errors.raise_if_any()
    return url


@transaction.atomic
def statement_publish(
    *, actor: Principal, statement_id: int, channel: str, url: str = "", published_at: datetime | None = None
) -> StatementPublication:
    """Record the current version as out on one channel; the first publication replaces what it supersedes."""
    statement = _locked(statement_id)
    check_case_action(actor, statement.case, "write_statement")
    url = _check_publication(channel, url, published_at)
    _check_case_open(statement.case)
    _check_can(statement, statement.publish, "published")
    version = statement.current_version
    if StatementPublication.objects.filter(statement=statement, version=version, channel=channel).exists():
        raise ConflictError(
            f"Statement #{statement.pk} v{version} is already published on {channel}.",
            field="channel",
            code="already_published",
        )
    publication = StatementPublication.objects.create(
        statement=statement,
        version=version,
        channel=channel,
        url=url,
        published_at=published_at or timezone.now(),
        published_by=actor.name,
    )
    first = statement.published_at is None
    statement.publish()
    statement.published_version = version
    statement.published_at = statement.published_at or publication.published_at
    statement.save()
    _start_sla_clock(statement.case, publication.published_at)
    timeline_add(
        statement.case,
        "statement_published",
        actor,
        f"Statement #{statement.pk} v{version} published on {channel}" + (f": {url}" if url else ""),
        statement_id=statement.pk,
        version=version,
        channel=channel,
        url=url,
    )
    if first and statement.supersedes_id is not None:
        _supersede(actor, statement, statement.supersedes_id)
    return publication


def _start_sla_clock(case: CrisisCase, published_at: datetime) -> None:
    if case.first_statement_at is None or published_at < case.first_statement_at:
        case.first_statement_at = published_at
        case.save(update_fields=["first_statement_at"])


def _supersede(actor: Principal, replacement: Statement, old_id: int) -> None:
    old = Statement.objects.select_for_update().get(pk=old_id)
    if not can_proceed(old.supersede):
        return
    old.supersede()
    old.save()
    timeline_add(
        replacement.case,
        "statement_superseded",
        actor,
        f"Statement #{old.pk} superseded by #{replacement.pk}",
        statement_id=old.pk,
        superseded_by=replacement.pk,
    )


@transaction.atomic
def statement_retract(*, actor: Principal, statement_id: int, reason: str) -> Statement:
    """Take the statement down: it stops being live on every channel."""
    statement = _locked(statement_id)
    check_case_action(actor, statement.case, "write_statement")
    errors = ErrorList()
    reason = required_text(errors, reason, field="reason", label="A reason for the retraction", limit=5000)
    errors.raise_if_any()
    _check_can(statement, statement.retract, "retracted")
    now = timezone.now()
    channels = list(
        statement.publications.filter(retracted_at__isnull=True).values_list("channel", flat=True).distinct()
    )
    statement.publications.filter(retracted_at__isnull=True).update(retracted_at=now)
    statement.retract()
    statement.retracted_at, statement.retraction_reason, statement.published_version = now, reason, None
    statement.save()
    timeline_add(
        statement.case,
        "statement_retracted",
        actor,
        f"Statement #{statement.pk} retracted from {', '.join(sorted(channels))}: {reason}",
        statement_id=statement.pk,
        channels=sorted(channels),
        reason=reason,
    )
    return statement
