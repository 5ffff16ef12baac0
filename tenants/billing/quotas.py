"""What a tenant's plan allows: the monthly mentions quota (ingest admits what fits and rejects the rest per item),
seats, rules and brands (a create beyond them is a 402 `plan_limit`), and the plan's API requests a minute.

The limits are read from the tenant's plan on every check, so a plan change applies at once. With
BILLING_ENFORCE_LIMITS off, nothing is refused (usage is still metered)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from config.errors import PlanLimitError
from config.timestamps import format_timestamp
from tenants.billing.events import quota_notify
from tenants.billing.models import BillingAccount, Plan, QuotaNotice
from tenants.billing.usage import (
    mentions_record,
    mentions_this_month,
    month_start,
    quota_reset_at,
    usage_count,
    utc_today,
)
from tenants.context import current_tenant

MENTIONS_LIMIT = "mentions_per_month"
# Percentages of the monthly mentions at which the tenant's admins are told, once a month each.
NOTICE_PERCENTS = (80, 100)
# pg_advisory_xact_lock's first key: "quota" serialises one tenant's concurrent ingest batches while they count.
_LOCK_NAMESPACE = 0x71756F74
NOUNS = {"seats": "seats", "rules": "monitoring rules", "brands": "brands"}


def _plan() -> Plan | None:
    tenant = current_tenant()
    if tenant is None:
        return None
    account = BillingAccount.objects.select_related("plan").filter(tenant=tenant).only("plan").first()
    return account.plan if account is not None else None


def plan_limit(name: str) -> int | None:
    """The current tenant's plan limit `name`; None when unlimited, not enforced, or outside a tenant."""
    if not settings.BILLING_ENFORCE_LIMITS:
        return None
    plan = _plan()
    value = plan.limits.get(name) if plan is not None else None
    return int(value) if value is not None else None


def plan_limit_check(name: str, *, adding: int = 1) -> None:
    """Refuse (402 plan_limit, naming the limit) to add `adding` more of `name` (seats, rules, brands) beyond the
    plan; call inside the create's transaction."""
    plan = _plan() if settings.BILLING_ENFORCE_LIMITS else None
    value = plan.limits.get(name) if plan is not None else None
    if plan is None or value is None:
        return
    used = usage_count(name)
    if used + adding > value:
        raise PlanLimitError(
            f"The {plan.name} plan allows {value} {NOUNS[name]} ({name}) and {used} are in use; archive one or "
            "move to a larger plan.",
            limit=name,
            value=int(value),
            used=used,
        )


def api_requests_per_minute() -> int | None:
    """The current tenant's plan limit on API requests a minute (all its keys and users together), or None."""
    return plan_limit("api_requests_per_minute")


@dataclass(frozen=True)
class MentionsAdmission:
    """How many new mentions a batch may store, and why the others are refused."""

    requested: int
    admitted: int
    limit: int | None
    used: int
    day: date

    @property
    def rejected(self) -> int:
        return self.requested - self.admitted

    @property
    def reset_at(self) -> datetime:
        return quota_reset_at(self.day)

    def rejection(self) -> str:
        return (
            f"Monthly mention quota reached ({MENTIONS_LIMIT} = {self.limit}, {self.used} used this month); "
            f"the quota resets at {format_timestamp(self.reset_at)}."
        )


def mentions_admit(requested: int) -> MentionsAdmission:
    """Call in the ingest transaction, before storing: how many of `requested` new mentions fit this month's quota.

    With a limit, the tenant's concurrent batches wait for each other from here until commit, so two batches never
    both take the last places."""
    tenant = current_tenant()
    day = utc_today()
    limit = plan_limit(MENTIONS_LIMIT)
    if tenant is None or limit is None:
        return MentionsAdmission(requested=requested, admitted=requested, limit=None, used=0, day=day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, tenant.pk])
    used = mentions_this_month(tenant.pk, day=day)
    admitted = max(0, min(requested, limit - used))
    return MentionsAdmission(requested=requested, admitted=admitted, limit=limit, used=used, day=day)


def _notices_due(tenant_id: int, month: date, percents: list[int]) -> list[int]:
    """Record the notices (once per tenant, month and level) and return the levels not recorded before."""
    if not percents:
        return []
    table = f'"{get_public_schema_name()}"."{QuotaNotice._meta.db_table}"'
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, month, limit_key, percent, created_at) "
            "SELECT %s, %s, %s, p, now() FROM unnest(%s::int[]) AS p "
            "ON CONFLICT (tenant_id, month, limit_key, percent) DO NOTHING RETURNING percent",
            [tenant_id, month, MENTIONS_LIMIT, percents],
        )
        return sorted(row[0] for row in cursor.fetchall())


def mentions_count(admission: MentionsAdmission, stored: int) -> None:
    """Call in the ingest transaction, after storing: add the batch's `stored` new mentions to today's usage (one
    upsert) and, at 80% and 100% of the quota, tell the tenant's admins (once a month each)."""
    tenant = current_tenant()
    if tenant is None:
        return
    mentions_record(tenant_id=tenant.pk, count=stored, day=admission.day)
    if admission.limit is None:
        return
    used = admission.used + stored
    reached = [p for p in NOTICE_PERCENTS if used * 100 >= admission.limit * p or (p == 100 and admission.rejected)]
    new = _notices_due(tenant.pk, month_start(admission.day), reached)
    if new:
        # A batch that crosses both levels sends the higher one only (and the lower is not sent later).
        quota_notify(
            tenant=tenant,
            percent=max(new),
            limit_name=MENTIONS_LIMIT,
            limit=admission.limit,
            used=used,
            rejected=admission.rejected,
            period_start=month_start(admission.day),
            reset_at=admission.reset_at,
        )
