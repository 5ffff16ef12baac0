"""Celery entry points for billing: thin, they call the lifecycle's and usage's services."""

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.billing.lifecycle import lifecycle_sweep
from tenants.billing.usage import usage_flush
from tenants.billing.usage_report import usage_report


@shared_task(name="billing.lifecycle_sweep", acks_late=True)
def billing_lifecycle_sweep() -> dict[str, int]:
    """Beat, once in the public schema (where billing lives): trials and grace periods over, purges due."""
    with schema_context(get_public_schema_name()):
        return lifecycle_sweep()


@shared_task(name="billing.usage_flush", acks_late=True)
def billing_usage_flush() -> dict[str, int]:
    """Beat, in the public schema: API request counters and seat, rule and brand counts into the usage days."""
    with schema_context(get_public_schema_name()):
        return usage_flush()


@shared_task(name="billing.usage_report", acks_late=True)
def billing_usage_report() -> dict[str, int]:
    """Beat, in the public schema: unreported mentions to Stripe as Billing Meter events, idempotent on retry."""
    with schema_context(get_public_schema_name()):
        return usage_report()
