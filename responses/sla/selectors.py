"""Reads on SLA timers: the targets of each severity (stored or default) and the clocks of a case."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from responses.models import CaseStatus, CrisisCase, Severity, SlaKind, SlaPolicy
from tenants.identity.principals import Principal, check_permission

# Minutes (acknowledge, first statement, resolve). Severity I follows the "golden hour": a holding statement
# within one hour.
DEFAULTS: dict[str, tuple[int, int, int]] = {
    Severity.I: (15, 60, 24 * 60),
    Severity.II: (30, 4 * 60, 3 * 24 * 60),
    Severity.III: (60, 12 * 60, 7 * 24 * 60),
    Severity.IV: (4 * 60, 24 * 60, 14 * 24 * 60),
}
KINDS = (SlaKind.ACKNOWLEDGE, SlaKind.FIRST_STATEMENT, SlaKind.RESOLVE)
MET_FIELD = {
    SlaKind.ACKNOWLEDGE: "acknowledged_at",
    SlaKind.FIRST_STATEMENT: "first_statement_at",
    SlaKind.RESOLVE: "resolved_at",
}
CLOSED = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)


@dataclass(frozen=True)
class Targets:
    severity: str
    acknowledge_minutes: int
    first_statement_minutes: int
    resolve_minutes: int
    is_default: bool

    def minutes(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_minutes"))


def targets_by_severity() -> dict[str, Targets]:
    stored = {p.severity: p for p in SlaPolicy.objects.all()}
    found = {}
    for severity, (ack, statement, resolve) in DEFAULTS.items():
        row = stored.get(severity)
        found[str(severity)] = (
            Targets(severity, row.acknowledge_minutes, row.first_statement_minutes, row.resolve_minutes, False)
            if row
            else Targets(severity, ack, statement, resolve, True)
        )
    return found


def sla_policies(*, actor: Principal) -> list[Targets]:
    check_permission(actor, "cases.read")
    return list(targets_by_severity().values())


def case_sla(case: CrisisCase, targets: Targets | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each clock of the case: due time, when it was met, and its state (pending, met, met_late, breached)."""
    targets = targets or targets_by_severity()[case.severity]
    now = now or timezone.now()
    clocks = []
    for kind in KINDS:
        due = case.created_at + timedelta(minutes=targets.minutes(kind))
        met = getattr(case, MET_FIELD[kind])
        if met is not None:
            state = "met" if met <= due else "met_late"
        elif case.status in CLOSED:
            state = "not_applicable"
        else:
            state = "breached" if now > due else "pending"
        clocks.append({"kind": str(kind), "due_at": due, "met_at": met, "state": state})
    return clocks
