"""The billing lifecycle's clock, run by beat in the public schema (`billing.lifecycle_sweep`):

- a trial that ended without a subscription goes `past_due`: the tenant gets the same grace period to subscribe as
  one whose payment failed, instead of losing writes the minute the trial ends;
- a `past_due` account still unpaid BILLING_GRACE_DAYS after it went past due is `suspended` (an invoice paid in
  between made it `active`, so it is not);
- a `canceled` tenant whose purge time (BILLING_RETENTION_DAYS after cancellation) has passed is purged: its schema
  and search indices are deleted by `tenant_delete`, and what went is logged and kept in the public audit log. An
  account that left `canceled` before then has no purge time and is never purged.

Each step re-reads its account under a row lock and re-checks its condition, so a sweep run twice (or alongside a
webhook) changes each account at most once; each runs in its own transaction, and one that fails is logged (the
step, the tenant's id and the error class: no personal data) and leaves the others to go on."""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.timestamps import format_timestamp
from tenants.audit.services import audit_record
from tenants.billing.models import BillingAccount, BillingStatus
from tenants.billing.services import status_set
from tenants.identity.principals import SYSTEM
from tenants.services import tenant_delete

logger = logging.getLogger(__name__)


@dataclass
class Purged:
    slug: str
    schema: str
    indices: list[str]
    # Rows per table of the schema as it was dropped (tables with rows only).
    rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _locked(account_id: int) -> BillingAccount | None:
    return BillingAccount.objects.select_for_update().select_related("tenant", "plan").filter(pk=account_id).first()


def trials_due(now: datetime) -> QuerySet[BillingAccount]:
    return BillingAccount.objects.filter(status=BillingStatus.TRIALING, trial_end__lte=now, stripe_subscription_id="")


def grace_over(now: datetime) -> QuerySet[BillingAccount]:
    grace = timedelta(days=settings.BILLING_GRACE_DAYS)
    return BillingAccount.objects.filter(status=BillingStatus.PAST_DUE, status_changed_at__lte=now - grace)


def purges_due(now: datetime) -> QuerySet[BillingAccount]:
    return BillingAccount.objects.filter(status=BillingStatus.CANCELED, purge_at__lte=now)


@transaction.atomic
def account_trial_expire(*, account_id: int, now: datetime) -> bool:
    """`trialing` → `past_due` once the trial is over with no subscription; False when that is not (or no longer)
    the case."""
    account = _locked(account_id)
    if account is None or not trials_due(now).filter(pk=account.pk).exists():
        return False
    reason = "trial ended without a subscription"
    status_set(account=account, status=BillingStatus.PAST_DUE, reason=reason, actor=SYSTEM)
    account.save()
    return True


@transaction.atomic
def account_grace_expire(*, account_id: int, now: datetime) -> bool:
    """`past_due` → `suspended` once the grace period is over."""
    account = _locked(account_id)
    if account is None or not grace_over(now).filter(pk=account.pk).exists():
        return False
    reason = f"still past due after the {settings.BILLING_GRACE_DAYS}-day grace period"
    status_set(account=account, status=BillingStatus.SUSPENDED, reason=reason, actor=SYSTEM)
    account.save()
    return True


def _row_counts(schema: str) -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND c.relname <> 'django_migrations' ORDER BY 1",
            [schema],
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(table)}")  # both names quoted
            counts[table] = cursor.fetchone()[0]
    return {table: rows for table, rows in counts.items() if rows}


@transaction.atomic
def tenant_purge(*, account_id: int, now: datetime) -> Purged | None:
    """Delete a canceled tenant whose retention is over (schema, rows, search indices) through `tenant_delete`;
    None when the account is not (or no longer) due: reactivated, rescheduled or already purged."""
    account = _locked(account_id)
    if account is None or not purges_due(now).filter(pk=account.pk).exists():
        return None
    tenant = account.tenant
    rows = _row_counts(tenant.schema_name)
    canceled_at, purge_at = account.status_changed_at, account.purge_at
    indices = tenant_delete(slug=tenant.slug)
    purged = Purged(slug=tenant.slug, schema=tenant.schema_name, indices=indices, rows=rows)
    audit_record(
        actor=SYSTEM,
        action="tenant.purged",
        target_type="tenant",
        target_id=tenant.pk,
        details={
            **purged.as_dict(),
            "canceled_at": format_timestamp(canceled_at),
            "purge_at": format_timestamp(purge_at),
            "retention_days": settings.BILLING_RETENTION_DAYS,
        },
    )
    logger.info(
        "purged tenant %s (canceled %s): schema %s, indices %s, rows %s",
        tenant.slug,
        format_timestamp(canceled_at),
        tenant.schema_name,
        indices,
        rows,
    )
    return purged


STEPS: list[tuple[str, Callable[[datetime], QuerySet[BillingAccount]], Callable[..., object]]] = [
    ("trial_expired", trials_due, account_trial_expire),
    ("suspended", grace_over, account_grace_expire),
    ("purged", purges_due, tenant_purge),
]


def lifecycle_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run every step over the accounts due for it; returns how many each step changed, and how many failed."""
    now = now or timezone.now()
    counts = {name: 0 for name, _due, _step in STEPS} | {"failed": 0}
    for name, due, step in STEPS:
        for account_id, tenant_id in due(now).order_by("pk").values_list("pk", "tenant_id"):
            try:
                done = step(account_id=account_id, now=now)
            except Exception as exc:
                counts["failed"] += 1
                logger.warning("billing lifecycle: %s failed for tenant %s (%s)", name, tenant_id, type(exc).__name__)
                continue
            counts[name] += bool(done)
    return counts
