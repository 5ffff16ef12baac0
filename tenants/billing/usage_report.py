"""Mentions reported to Stripe as metered usage: Billing Meter events (`v1/billing/meter_events`, which stripe-mock
serves; the legacy usage records are gone from the `stripe` library and from stripe-mock).

A run first sends what an earlier run left pending, then, for each tenant day with mentions beyond what was
reported and a Stripe customer, writes a UsageReport for the difference and moves `mentions_reported` forward in
the same transaction, before calling Stripe. The report's identifier (tenant, day, running total) is the meter
event's `identifier` and the call's idempotency key: Stripe accepts an identifier once, so a report sent again
after a crash or a lost answer is not counted twice, and a report is never made twice for the same mentions."""

import logging
from datetime import UTC, date, datetime, time, timedelta

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tenants.billing.models import BillingAccount, UsageDay, UsageReport
from tenants.billing.stripe_api import client

logger = logging.getLogger(__name__)


def _timestamp(day: date, now: datetime) -> datetime:
    """The meter event's time: now for today, the day's last second for an earlier day."""
    end = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return min(end, now)


def _reports_make(limit: int, now: datetime) -> None:
    customers = dict(
        BillingAccount.objects.exclude(stripe_customer_id="").values_list("tenant_id", "stripe_customer_id")
    )
    due = (
        UsageDay.objects.filter(tenant_id__in=list(customers), mentions__gt=F("mentions_reported"))
        .order_by("day", "tenant_id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in list(due):
        with transaction.atomic():
            day = UsageDay.objects.select_for_update().get(pk=pk)
            if day.mentions <= day.mentions_reported:
                continue
            UsageReport.objects.create(
                usage_day=day,
                identifier=f"vigil-mentions-{day.tenant_id}-{day.day.isoformat()}-{day.mentions}",
                from_count=day.mentions_reported,
                to_count=day.mentions,
                stripe_customer_id=customers[day.tenant_id],
                timestamp=_timestamp(day.day, now),
            )
            day.mentions_reported = day.mentions
            day.save(update_fields=["mentions_reported", "updated_at"])


def _send(report: UsageReport) -> None:
    client().v1.billing.meter_events.create(
        params={
            "event_name": settings.STRIPE_METER_EVENT_NAME,
            "identifier": report.identifier,
            "timestamp": int(report.timestamp.timestamp()),
            "payload": {"stripe_customer_id": report.stripe_customer_id, "value": str(report.value)},
        },
        options={"idempotency_key": report.identifier},
    )


def usage_report(*, batch: int | None = None) -> dict[str, int]:
    """Beat, in the public schema: send at most `batch` meter events (BILLING_USAGE_REPORT_BATCH), pending ones
    first. Stripe failing stops the run and leaves the rest pending for the next one."""
    limit = batch or settings.BILLING_USAGE_REPORT_BATCH
    now = timezone.now()
    _reports_make(limit, now)
    sent = 0
    pending = list(UsageReport.objects.filter(sent_at__isnull=True).order_by("id")[:limit])
    for report in pending:
        if report.timestamp < now - timedelta(days=35):
            logger.warning("usage report %s is older than Stripe accepts; left unsent", report.identifier)
            continue
        try:
            _send(report)
        except stripe.StripeError:
            logger.warning(
                "Stripe refused usage report %s; it is sent again next run", report.identifier, exc_info=True
            )
            break
        UsageReport.objects.filter(pk=report.pk).update(sent_at=timezone.now())
        sent += 1
    return {"sent": sent, "pending": UsageReport.objects.filter(sent_at__isnull=True).count()}
