"""Celery entry points of the responses app: per tenant, sent by the tenant-aware beat."""

from celery import shared_task

from responses.sla import sla_check


@shared_task(name="responses.sla_check", acks_late=True)
def case_sla_check() -> int:
    """Flag and notify SLA targets missed since the last run."""
    return len(sla_check())
