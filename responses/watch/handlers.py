"""The alert handler of post-crisis watches (VIGIL_ALERT_HANDLERS): an alert opened by a case's watch policy is a
recurrence of the crisis, told on the case's timeline (and so as the `case.recurrence` webhook event)."""

from django.db import transaction

from config.timestamps import format_timestamp
from monitoring.warning.handlers import Change
from monitoring.warning.notifications import LEVEL_NAMES, scope_label
from responses.cases.timeline import timeline_add
from responses.models import CrisisCase
from tenants.identity.principals import SYSTEM

RECURRENCE = "recurrence"


@transaction.atomic
def alert_recurrence(change: Change) -> None:
    if change.kind != "opened":
        return
    # The row lock makes a retried handler wait for the first run, then find its entry and add none.
    case = CrisisCase.objects.select_for_update().filter(watch_policy_id=change.policy_id).first()
    if case is None or case.events.filter(kind=RECURRENCE, data__alert_id=change.alert_id).exists():
        return
    timeline_add(
        case,
        RECURRENCE,
        SYSTEM,
        f"Recurrence during the post-crisis watch: {LEVEL_NAMES[change.level]} alert {change.alert_id} on "
        f"{scope_label(change.scope)}",
        alert_id=change.alert_id,
        level=change.level,
        opened_at=format_timestamp(change.at),
    )
