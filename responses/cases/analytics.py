"""Analytics over any scope, a case's included: the responses app knows what a case covers (its brands and its
evidence) and hands monitoring the mentions; the other scopes go to monitoring as they are."""

from datetime import datetime
from typing import Any

from config.errors import NotFoundError
from monitoring.analytics.key_nodes import scope_key_nodes
from monitoring.analytics.scopes import parse_scope
from monitoring.analytics.share_of_voice import share_of_voice
from monitoring.analytics.trends import scope_trends
from monitoring.analytics.volume import scope_volume_forecast
from responses.cases.selectors import case_get
from responses.models import CrisisCase
from tenants.identity.principals import Principal, check_permission


def _case(actor: Principal, scope: str) -> CrisisCase | None:
    kind, case_id = parse_scope(scope)
    if kind != "case" or case_id is None:
        return None
    try:
        return case_get(actor=actor, case_id=case_id)
    except NotFoundError as exc:
        raise NotFoundError(f"No case {case_id}.", field="scope") from exc


def analytics_key_nodes(
    *, actor: Principal, scope: str, since: datetime | None = None, until: datetime | None = None, limit: int = 20
) -> dict[str, Any]:
    """The authors who carried a scope's spread; a case's scope is its evidence and what spread from it."""
    case = _case(actor, scope)
    evidence = [m.pk for m in case.evidence.all()] if case else None
    return scope_key_nodes(actor=actor, scope=scope, since=since, until=until, mention_ids=evidence, limit=limit)


def analytics_forecast(
    *,
    actor: Principal,
    scope: str,
    interval: str = "1h",
    horizon: str = "24h",
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """A scope's volume series and its forecast; a case's scope is its brands' mentions and its evidence."""
    case = _case(actor, scope)
    return scope_volume_forecast(
        actor=actor,
        scope=scope,
        interval=interval,
        horizon=horizon,
        since=since,
        until=until,
        case_brands=[b.pk for b in case.brands.all()] if case else None,
        case_mentions=[m.pk for m in case.evidence.all()] if case else None,
    )


def analytics_share_of_voice(
    *,
    actor: Principal,
    since: datetime | None = None,
    until: datetime | None = None,
    interval: str = "1d",
    brands: list[int] | None = None,
) -> dict[str, Any]:
    """Share of voice over the tenant's brands, each with the crisis cases about it (a competitor's response is a
    reference for one's own)."""
    found = share_of_voice(actor=actor, since=since, until=until, interval=interval, brands=brands)
    check_permission(actor, "cases.read")
    ids = [b["brand_id"] for b in found["brands"]]
    cases: dict[int, list[dict[str, Any]]] = {}
    about = CrisisCase.objects.filter(brands__in=ids, created_at__lt=found["until"]).distinct()
    for case in about.prefetch_related("brands").order_by("created_at", "id"):
        for brand_id in (b.pk for b in case.brands.all()):
            if brand_id in ids:
                cases.setdefault(brand_id, []).append(
                    {
                        "id": case.pk,
                        "title": case.title,
                        "status": case.status,
                        "severity": case.severity,
                        "is_drill": case.is_drill,
                        "created_at": case.created_at,
                    }
                )
    for brand in found["brands"]:
        brand["cases"] = cases.get(brand["brand_id"], [])
    return found


def analytics_trends(
    *,
    actor: Principal,
    scope: str,
    interval: str = "1h",
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """A scope's trends per interval; a case's scope is its brands' mentions and its evidence."""
    case = _case(actor, scope)
    return scope_trends(
        actor=actor,
        scope=scope,
        interval=interval,
        since=since,
        until=until,
        case_brands=[b.pk for b in case.brands.all()] if case else None,
        case_mentions=[m.pk for m in case.evidence.all()] if case else None,
    )
