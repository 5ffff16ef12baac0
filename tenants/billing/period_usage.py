"""A tenant's usage this calendar month (UTC) against its plan's limits, and when it was last active: annotated
on the platform's tenant lists in one query (no query per tenant)."""

from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from config.timestamps import format_timestamp
from tenants.billing.models import UsageDay
from tenants.billing.usage import month_start, next_month_start, quota_reset_at, utc_today
from tenants.models import Tenant

# Which plan limit each usage figure is measured against.
USAGE_LIMITS = {"mentions": "mentions_per_month", "seats": "seats", "rules": "rules", "brands": "brands"}


def with_period_usage(tenants: QuerySet[Tenant]) -> QuerySet[Tenant]:
    """Annotate each tenant with this month's mentions, its latest seats/rules/brands snapshot and last activity."""
    start = month_start(utc_today())
    days = UsageDay.objects.filter(tenant=OuterRef("pk"))
    month = days.filter(day__gte=start, day__lt=next_month_start(start)).values("tenant").annotate(t=Sum("mentions"))
    snapshot = days.filter(seats__isnull=False).order_by("-day")
    active = days.filter(Q(mentions__gt=0) | Q(api_requests__gt=0)).values("tenant").annotate(t=Max("updated_at"))
    return tenants.annotate(
        usage_mentions=Coalesce(Subquery(month.values("t")[:1]), 0),
        usage_seats=Subquery(snapshot.values("seats")[:1]),
        usage_rules=Subquery(snapshot.values("rules")[:1]),
        usage_brands=Subquery(snapshot.values("brands")[:1]),
        usage_api_requests_today=Subquery(days.filter(day=utc_today()).values("api_requests")[:1]),
        last_activity_at=Subquery(active.values("t")[:1]),
    )


def period_usage(tenant: Tenant) -> dict[str, Any]:
    """A tenant's usage this calendar month (UTC) against its plan's limits; seats, rules and brands as of the last
    usage flush. Reads the annotations of `with_period_usage` (a tenant without them counts as unused)."""
    limits = tenant.billing.plan.limits  # type: ignore[attr-defined]
    today = utc_today()
    usage = {
        name: {"used": getattr(tenant, f"usage_{name}", None), "limit": limits.get(limit)}
        for name, limit in USAGE_LIMITS.items()
    }
    usage["mentions"]["used"] = int(usage["mentions"]["used"] or 0)
    return {
        "period_start": month_start(today).isoformat(),
        "resets_at": format_timestamp(quota_reset_at(today)),
        **usage,
        "api_requests_today": int(getattr(tenant, "usage_api_requests_today", None) or 0),
        "api_requests_per_minute": limits.get("api_requests_per_minute"),
    }
