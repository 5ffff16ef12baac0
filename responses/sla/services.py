"""SLA timers per severity: time to acknowledge, to the first published statement, to resolve. Clocks start when
the case opens; a missed target is recorded once, put on the timeline and notified (`case.sla_breached`)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from config.errors import ErrorList, ValidationError
from config.timestamps import format_timestamp
from config.validation import UNSET
from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.aftercare.follow_up_services import case_follow_ups_check
from responses.cases.timeline import timeline_add
from responses.commitments.services import case_commitments_check
from responses.models import CrisisCase, Severity, SlaBreach, SlaKind, SlaPolicy
from responses.playbooks.escalation import case_escalations_check
from responses.recovery.services import case_recovery_check
from responses.sla.selectors import CLOSED, Targets, case_sla, targets_by_severity
from tenants.identity.principals import SYSTEM, Principal, check_permission
from tenants.notifications.services import notify

MAX_MINUTES = 90 * 24 * 60


@transaction.atomic
def sla_policy_update(
    *,
    actor: Principal,
    severity: str,
    acknowledge_minutes: int = UNSET,
    first_statement_minutes: int = UNSET,
    resolve_minutes: int = UNSET,
) -> Targets:
    check_permission(actor, "sla.manage")
    if severity not in Severity.values:
        raise ValidationError(f"Unknown severity '{severity}'; expected I, II, III or IV.", field="severity")
    current = targets_by_severity()[severity]
    given = {
        "acknowledge_minutes": acknowledge_minutes,
        "first_statement_minutes": first_statement_minutes,
        "resolve_minutes": resolve_minutes,
    }
    values = {k: (getattr(current, k) if v is UNSET else v) for k, v in given.items()}
    errors = ErrorList()
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
            errors.add(name, f"A whole number of minutes from 1 to {MAX_MINUTES}.")
    errors.raise_if_any()
    if values["resolve_minutes"] < max(values["acknowledge_minutes"], values["first_statement_minutes"]):
        raise ValidationError(
            "Resolving cannot be due before acknowledging or the first statement.", field="resolve_minutes"
        )
    SlaPolicy.objects.update_or_create(severity=severity, defaults={**values, "updated_by": actor.name})
    return targets_by_severity()[severity]


def sla_check(*, now: datetime | None = None, quarantine: Quarantine | None = None) -> list[SlaBreach]:
    """Record and notify targets that open cases have just missed; each breach once per case and kind.

    A case whose clocks raise is quarantined (dead letter `case_clock`, key: the case id); the others go on.
    """
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    targets = targets_by_severity()
    recorded: list[SlaBreach] = []
    cases = CrisisCase.objects.exclude(status__in=CLOSED).prefetch_related("sla_breaches")
    for case in cases:
        with quarantine.item(case.pk):
            recorded += case_sla_check(case, targets, now)
    return recorded


def case_sla_check(case: CrisisCase, targets: dict[str, Targets], now: datetime) -> list[SlaBreach]:
    recorded: list[SlaBreach] = []
    known = {b.kind for b in case.sla_breaches.all()}
    for clock in case_sla(case, targets[case.severity], now):
        if clock["state"] == "breached" and clock["kind"] not in known:
            with transaction.atomic():
                breach, created = SlaBreach.objects.get_or_create(
                    case=case, kind=clock["kind"], defaults={"due_at": clock["due_at"], "detected_at": now}
                )
                if created:
                    _announce(case, breach)
                    recorded.append(breach)
    return recorded


def _announce(case: CrisisCase, breach: SlaBreach) -> None:

    label = SlaKind(breach.kind).label.lower()
    drill = " [drill]" if case.is_drill else ""
    summary = f"SLA breached{drill}: {label} was due {breach.due_at:%Y-%m-%d %H:%M} UTC"
    timeline_add(case, "sla_breached", SYSTEM, summary, sla=breach.kind, due_at=format_timestamp(breach.due_at))
    notify(
        event_type="case.sla_breached",
        data={
            "case_id": case.pk,
            "title": case.title,
            "severity": case.severity,
            "status": case.status,
            "is_drill": case.is_drill,
            "sla": breach.kind,
            "due_at": format_timestamp(breach.due_at),
            "detected_at": format_timestamp(breach.detected_at),
        },
        title=f"[Severity {case.severity}] Case #{case.pk} {case.title}: {label} overdue{drill}",
        text=summary,
    )


def case_clock_retry(item_key: str) -> None:
    """Dead-letter retry of a case clock: check the case's SLA, escalation rules, follow-ups, commitments and recovery
    now, raising what fails."""
    now = timezone.now()
    case = CrisisCase.objects.exclude(status__in=CLOSED).prefetch_related("sla_breaches").filter(pk=int(item_key))
    for still_open in case:
        case_sla_check(still_open, targets_by_severity(), now)
    case_escalations_check(int(item_key), now)
    case_follow_ups_check(int(item_key), now)
    case_commitments_check(int(item_key), now)
    case_recovery_check(int(item_key), now)
