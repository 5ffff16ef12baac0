"""The beat's side of recovery: put `recovered` on a case's timeline, and so announce `case.recovered`, once."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.timestamps import format_timestamp
from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind
from responses.cases.timeline import timeline_add
from responses.models import CaseEvent, CaseStatus, CrisisCase
from responses.recovery.selectors import MAX_TRACK_HOURS, recovery_of
from tenants.identity.principals import SYSTEM

RECOVERED = "recovered"


def recovery_check(*, now: datetime | None = None, quarantine: Quarantine | None = None) -> list[CaseEvent]:
    """Announce the cases whose talk has just recovered. Only cases still recovering or resolved within the tracked
    month are read, each until it has recovered; one that raises is quarantined like the case clocks."""
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.CASE_CLOCK, CrisisCase)
    since = now - timedelta(hours=MAX_TRACK_HOURS)
    cases = (
        CrisisCase.objects.filter(status__in=[CaseStatus.RECOVERING, CaseStatus.RESOLVED])
        .filter(Q(recovering_at__gte=since) | Q(recovering_at__isnull=True, resolved_at__gte=since))
        .exclude(events__kind=RECOVERED)
        .order_by("id")
    )
    announced: list[CaseEvent] = []
    for case_id in cases.values_list("id", flat=True):
        with quarantine.item(case_id):
            event = case_recovery_check(case_id, now)
            if event is not None:
                announced.append(event)
    return announced


@transaction.atomic
def case_recovery_check(case_id: int, now: datetime) -> CaseEvent | None:
    # The lock makes a second beat (or a retry) wait, then see the entry and do nothing.
    case = CrisisCase.objects.select_for_update().prefetch_related("brands", "evidence").filter(pk=case_id).first()
    if case is None or case.events.filter(kind=RECOVERED).exists():
        return None
    found = recovery_of(SYSTEM, case, now)
    if not found["recovered"]:
        return None
    return timeline_add(
        case,
        RECOVERED,
        SYSTEM,
        f"Recovered: the talk is back at its baseline since {found['recovered_at']:%Y-%m-%d %H:%M} UTC",
        recovered_at=format_timestamp(found["recovered_at"]),
        hours_to_recovery=found["hours_to_recovery"],
    )
