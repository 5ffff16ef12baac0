"""Reads on crisis statements: lists, one statement with its history, diffs, and what each channel carries."""

from typing import Any

from django.db.models import QuerySet

from config.errors import NotFoundError, ValidationError
from responses.models import (
    CrisisCase,
    Statement,
    StatementPublication,
    StatementStatus,
    StatementVersion,
)
from responses.statements.diffs import body_diff
from tenants.identity.principals import Principal, check_permission


def _case(actor: Principal, case_id: int) -> CrisisCase:
    check_permission(actor, "cases.read")
    case = CrisisCase.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(f"No case {case_id}.", field="id")
    return case


def statement_list(*, actor: Principal, case_id: int) -> QuerySet[Statement]:
    case = _case(actor, case_id)
    return case.statements.prefetch_related("versions", "approvals", "publications").order_by("created_at", "id")


def statement_get(*, actor: Principal, statement_id: int) -> Statement:
    check_permission(actor, "cases.read")
    statement = (
        Statement.objects.prefetch_related("versions", "approvals", "publications").filter(pk=statement_id).first()
    )
    if statement is None:
        raise NotFoundError(f"No statement {statement_id}.", field="id")
    return statement


def statement_versions(*, actor: Principal, statement_id: int) -> QuerySet[StatementVersion]:
    return statement_get(actor=actor, statement_id=statement_id).versions.order_by("number")


def statement_diff(
    *, actor: Principal, statement_id: int, from_version: int | None = None, to_version: int | None = None
) -> dict[str, Any]:
    """Unified diff of the body between two versions; by default the current version against the one before."""
    statement = statement_get(actor=actor, statement_id=statement_id)
    to_version = statement.current_version if to_version is None else to_version
    from_version = max(to_version - 1, 1) if from_version is None else from_version
    bodies = dict(statement.versions.filter(number__in=[from_version, to_version]).values_list("number", "body"))
    for name, number in (("from", from_version), ("to", to_version)):
        if number not in bodies:
            raise ValidationError(
                f"Statement {statement_id} has no version {number}; it has 1 to {statement.current_version}.",
                field=name,
            )
    diff = body_diff(bodies[from_version], bodies[to_version], from_label=f"v{from_version}", to_label=f"v{to_version}")
    return {"from_version": from_version, "to_version": to_version, "diff": diff}


def _replacement(statement: Statement, statements: dict[int, Statement]) -> Statement | None:
    """The newest published statement that supersedes this one."""
    replacements = [
        s for s in statements.values() if s.supersedes_id == statement.pk and s.published_version is not None
    ]
    return max(replacements, key=lambda s: (s.published_at or s.created_at, s.pk), default=None)


def _flag(publication: StatementPublication, statements: dict[int, Statement]) -> dict[str, Any]:
    statement = statements[publication.statement_id]
    replacement = _replacement(statement, statements) if statement.status == StatementStatus.SUPERSEDED else None
    if replacement is not None:
        return {
            "flag": "superseded",
            "expected_statement_id": replacement.pk,
            "expected_version": replacement.published_version,
        }
    live = statement.published_version
    if live is not None and publication.version < live:
        return {"flag": "outdated_version", "expected_statement_id": statement.pk, "expected_version": live}
    return {"flag": None, "expected_statement_id": statement.pk, "expected_version": publication.version}


def statement_consistency(*, actor: Principal, case_id: int) -> dict[str, Any]:
    """What each channel carries for the case, one row per channel and statement live on it, with the rows that
    disagree with what is live elsewhere flagged: an older version, or a statement already replaced."""
    case = _case(actor, case_id)
    statements = {s.pk: s for s in case.statements.all()}
    live: dict[tuple[str, int], StatementPublication] = {}
    publications = StatementPublication.objects.filter(statement__case=case, retracted_at__isnull=True)
    # A newer version on a channel replaces the older one there, whatever publication times were recorded.
    for publication in publications.order_by("version", "published_at", "id"):
        live[(publication.channel, publication.statement_id)] = publication
    channels = [
        {
            "channel": p.channel,
            "statement_id": p.statement_id,
            "version": p.version,
            "url": p.url,
            "published_at": p.published_at,
            **_flag(p, statements),
        }
        for _key, p in sorted(live.items())
    ]
    return {"consistent": all(row["flag"] is None for row in channels), "channels": channels}
