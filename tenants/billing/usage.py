"""Usage metering per tenant per UTC day, in the public schema's UsageDay.

- Mentions: `mentions_record`, once per ingest batch inside the ingest transaction (one upsert adding the batch's
  newly stored mentions), so the count is exact and rolls back with the batch.
- API requests: `api_request_count` is one Redis INCR per request on the tenant's counter for the day (the cache key
  carries the schema); `usage_flush` (beat, every VIGIL_USAGE_FLUSH_SECONDS) writes each counter into PostgreSQL.
  The counter is the day's running total, so the flush writes `GREATEST(stored, counter)`: a retried or concurrent
  flush never adds twice, and PostgreSQL is exact up to one flush period.
- Seats, rules and brands: `usage_flush` snapshots them into the day's row (rules and brands through counters the
  domain registers, as tenants does not import it).
"""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from tenants.billing.models import UsageDay
from tenants.context import current_tenant
from tenants.identity.models import Invitation, User
from tenants.models import Tenant

logger = logging.getLogger(__name__)

# Counters keep two days and a bit, so a flush shortly after midnight still finds yesterday's.
API_COUNTER_SECONDS = 3 * 24 * 3600
SNAPSHOT_KEYS = ("seats", "rules", "brands")

UsageCounter = Callable[[], int]
_counters: dict[str, UsageCounter] = {}


def usage_counter_register(name: str, counter: UsageCounter) -> None:
    """A domain app's count of something a plan limits (`rules`, `brands`), run in the tenant's schema."""
    if name not in SNAPSHOT_KEYS:
        raise ValueError(f"unknown usage counter {name!r}")
    _counters[name] = counter


def seats_used() -> int:
    """People in the current tenant: active users, and pending invitations (each holds the seat it will take)."""
    pending = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    return User.objects.filter(is_active=True).count() + pending


def usage_count(name: str) -> int:
    """How many of `name` (seats, rules, brands) the current tenant has now."""
    if name == "seats":
        return seats_used()
    counter = _counters.get(name)
    if counter is None:
        raise RuntimeError(f"no usage counter for {name!r} (the domain app registers it when Django starts)")
    return counter()


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def quota_reset_at(day: date) -> datetime:
    """When a monthly quota counting `day` starts again: the first instant of the next calendar month, UTC."""
    start = next_month_start(day)
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


def _table() -> str:
    return f'"{get_public_schema_name()}"."{UsageDay._meta.db_table}"'


def mentions_record(*, tenant_id: int, count: int, day: date | None = None) -> None:
    """Add a batch's newly stored mentions to the tenant's day: one statement, in the caller's transaction."""
    if count <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table()} (tenant_id, day, mentions, api_requests, mentions_reported, updated_at) "
            "VALUES (%s, %s, %s, 0, 0, now()) "
            "ON CONFLICT (tenant_id, day) DO UPDATE "
            f"SET mentions = {UsageDay._meta.db_table}.mentions + EXCLUDED.mentions, updated_at = now()",
            [tenant_id, day or utc_today(), count],
        )


def mentions_this_month(tenant_id: int, *, day: date | None = None) -> int:
    """The tenant's mentions stored in the calendar month (UTC) of `day` (today by default)."""
    start = month_start(day or utc_today())
    total = UsageDay.objects.filter(tenant_id=tenant_id, day__gte=start, day__lt=next_month_start(start)).aggregate(
        total=Sum("mentions")
    )["total"]
    return int(total or 0)


def _api_key(day: date) -> str:
    return f"usage:api:{day.isoformat()}"


def api_request_count() -> None:
    """Count one API request for the current tenant today (nothing on the public host). Never fails a request."""
    if current_tenant() is None:
        return
    key = _api_key(utc_today())
    try:
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 0, timeout=API_COUNTER_SECONDS)
            cache.incr(key)
    except Exception:
        logger.warning("could not count an API request", exc_info=True)


def _flush_tenant(tenant: Tenant, today: date) -> None:
    days = [today - timedelta(days=1), today]
    with tenant_context(tenant):
        counters = cache.get_many([_api_key(day) for day in days])
        snapshot = {name: usage_count(name) for name in SNAPSHOT_KEYS if name == "seats" or name in _counters}
    with connection.cursor() as cursor:
        for day in days:
            requests = int(counters.get(_api_key(day)) or 0)
            values = snapshot if day == today else {}
            if not requests and not values:
                continue
            columns = "".join(f", {name}" for name in values)
            sets = "".join(f", {name} = EXCLUDED.{name}" for name in values)
            cursor.execute(
                f"INSERT INTO {_table()} (tenant_id, day, mentions, api_requests, mentions_reported, updated_at"
                f"{columns}) VALUES (%s, %s, 0, %s, 0, now(){', %s' * len(values)}) "
                "ON CONFLICT (tenant_id, day) DO UPDATE SET "
                f"api_requests = GREATEST({UsageDay._meta.db_table}.api_requests, EXCLUDED.api_requests), "
                f"updated_at = now(){sets}",
                [tenant.pk, day, requests, *values.values()],
            )


def usage_flush() -> dict[str, int]:
    """Beat, in the public schema: every tenant's API requests of yesterday and today, and today's snapshot."""
    today = utc_today()
    flushed = failed = 0
    for tenant in Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("pk"):
        try:
            _flush_tenant(tenant, today)
            flushed += 1
        except Exception:
            # One tenant's trouble (its schema mid-purge) must not stop the others; the next flush catches up.
            logger.exception("could not flush usage for tenant %s", tenant.slug)
            failed += 1
    return {"tenants": flushed, "failed": failed}
