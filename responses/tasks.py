"""Celery entry points of the responses app: per tenant, sent by the tenant-aware beat."""

from celery import shared_task

from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.aftercare.follow_up_services import follow_ups_overdue_check
from responses.commitments.services import commitments_missed_check
from responses.models import CrisisCase
from responses.playbooks.escalation import escalation_check
from responses.recovery.services import recovery_check
from responses.sla.services import sla_check


@shared_task(name="responses.case_clocks", acks_late=True)
def case_clocks() -> dict[str, int]:
    """Flag and notify missed SLA targets and due playbook escalation rules on open cases, and follow-ups past due.

    A case whose clocks raise is quarantined as a dead letter and counted; the other cases are still checked.
    """
    quarantine = Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    breaches = sla_check(quarantine=quarantine)
    escalations = escalation_check(quarantine=quarantine)
    overdue = follow_ups_overdue_check(quarantine=quarantine)
    return {
        "sla_breaches": len(breaches),
        "escalations": len(escalations),
        "follow_ups_overdue": len(overdue),
        "quarantined": quarantine.quarantined,
    }


@shared_task(name="responses.recovery_check", acks_late=True)
def case_recovery() -> dict[str, int]:
    """Announce `case.recovered` for cases whose talk has just come back to its baseline (each once)."""
    quarantine = Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    return {"recovered": len(recovery_check(quarantine=quarantine)), "quarantined": quarantine.quarantined}


@shared_task(name="responses.commitments_check", acks_late=True)
def commitments_check() -> dict[str, int]:
    """Mark open commitments past their due time as missed and announce `commitment.missed` (each once)."""
    quarantine = Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    return {"missed": len(commitments_missed_check(quarantine=quarantine)), "quarantined": quarantine.quarantined}
