"""Celery entry points of the responses app: per tenant, sent by the tenant-aware beat."""

from celery import shared_task

from responses.escalation import escalation_check
from responses.sla import sla_check


@shared_task(name="responses.case_clocks", acks_late=True)
def case_clocks() -> dict[str, int]:
    """Flag and notify missed SLA targets and due playbook escalation rules on open cases."""
    return {"sla_breaches": len(sla_check()), "escalations": len(escalation_check())}
