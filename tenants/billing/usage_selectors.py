"""What billing admins read of usage: per tenant per day, platform metrics (tenants by status, MRR, mentions per
day), a tenant's usage this period against its plan's limits, and a tenant's invoices from Stripe."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django_tenants.utils import get_public_schema_name

from config.errors import ValidationError
from tenants.billing.models import BillingAccount, BillingStatus, UsageDay
from tenants.billing.selectors import platform_tenant_get
from tenants.billing.tenant_billing import MAX_INVOICES, customer_invoices
from tenants.billing.usage import month_start, utc_today
from tenants.identity.principals import Principal, check_permission

MAX_DAYS = 366
USAGE_COLUMNS = ("day", "tenant", "mentions", "api_requests", "seats", "rules", "brands")


def _window(since: date | None, until: date | None, *, default_days: int | None = None) -> tuple[date, date]:
    today = utc_today()
    until = until or today
    if since is None:
        since = until - timedelta(days=default_days - 1) if default_days else month_start(until)
    if since > until:
        raise ValidationError("`since` is after `until`.", field="since")
    if (until - since).days >= MAX_DAYS:
        raise ValidationError(f"At most {MAX_DAYS} days at once.", field="until")
    return since, until


def platform_usage(*, actor: Principal, since: date | None = None, until: date | None = None) -> QuerySet[UsageDay]:
    """Each tenant's usage per UTC day from `since` to `until` (both included; default: this month so far)."""
    check_permission(actor, "platform.read")
    since, until = _window(since, until)
    return UsageDay.objects.filter(day__gte=since, day__lte=until).select_related("tenant").order_by("day", "tenant_id")


def usage_csv(days: QuerySet[UsageDay]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(USAGE_COLUMNS)
    for day in days.iterator():
        writer.writerow(
            [day.day.isoformat(), day.tenant.slug, day.mentions, day.api_requests]
            + ["" if value is None else value for value in (day.seats, day.rules, day.brands)]
        )
    return out.getvalue()


def platform_metrics(*, actor: Principal, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Tenants by billing status, MRR (the monthly price of every active tenant's plan) and mentions per day over
    the window (default: the last 30 days)."""
    check_permission(actor, "platform.read")
    since, until = _window(since, until, default_days=30)
    accounts = BillingAccount.objects.exclude(tenant__schema_name=get_public_schema_name())
    by_status = dict.fromkeys(BillingStatus.values, 0)
    for status, count in accounts.values_list("status").annotate(n=Count("id")).values_list("status", "n"):
        by_status[status] = count
    active = accounts.filter(status=BillingStatus.ACTIVE)
    mrr: dict[str, int] = {}
    prices = active.values("plan__currency").annotate(total=Sum("plan__monthly_price_cents"))
    for currency, cents in prices.values_list("plan__currency", "total"):
        mrr[currency] = int(cents or 0)
    per_day = dict(
        UsageDay.objects.filter(day__gte=since, day__lte=until)
        .values("day")
        .annotate(total=Sum("mentions"))
        .values_list("day", "total")
    )
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
    return {
        "since": since,
        "until": until,
        "tenants_by_status": by_status,
        "active_tenants": by_status[BillingStatus.ACTIVE] + by_status[BillingStatus.TRIALING],
        "mrr": [{"currency": currency, "amount_cents": cents} for currency, cents in sorted(mrr.items())],
        "mentions_per_day": [{"day": day, "mentions": int(per_day.get(day) or 0)} for day in days],
    }


def platform_tenant_invoices(*, actor: Principal, slug: str, limit: int = MAX_INVOICES) -> list[dict[str, Any]]:
    """A tenant's invoices as Stripe has them, newest first (billing admins)."""
    tenant = platform_tenant_get(actor=actor, slug=slug)
    return customer_invoices(tenant.billing, limit=limit)  # type: ignore[attr-defined]
