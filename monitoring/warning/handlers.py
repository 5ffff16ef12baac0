"""Alert handlers: what the rest of Vigil does when an alert changes (notify people, open a case), called after
the alert's transaction has committed.

The engine knows the handlers only as the dotted paths of the setting `VIGIL_ALERT_HANDLERS`, so monitoring imports
neither the case domain nor notifications. Each handler gets the `Change` and runs in a transaction of its own; one that
raises is counted and set aside as a dead letter (kind `alert_handler`, key `<alert event id>/<notify|quiet>/<path>`)
to be retried. It never undoes the alert, and the other handlers and the rest of the evaluation run go on.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from monitoring.deadletters.services import dead_letter_record, reason_of
from monitoring.models import AlertEvent, DeadLetterKind


@dataclass(frozen=True)
class Change:
    """What an evaluation did to an alert: the event it wrote, and whether people are to be told of it."""

    kind: str  # opened, escalated, deescalated, reminded, resolved
    alert_id: int
    policy_id: int
    scope: str
    at: datetime
    level: str
    index: float
    event_id: int
    notify: bool  # not while the scope is silenced, nor for a de-escalation


AlertHandler = Callable[[Change], None]


def _item_key(change: Change, path: str) -> str:
    return f"{change.event_id}/{'notify' if change.notify else 'quiet'}/{path}"


class AlertHandlers:
    """Runs the configured handlers on each change, each guarded; counts the failures of one evaluation run."""

    def __init__(self, paths: Sequence[str] | None = None) -> None:
        self.paths = list(settings.VIGIL_ALERT_HANDLERS if paths is None else paths)
        self.failures = 0

    def run(self, change: Change) -> None:
        for path in self.paths:
            try:
                with transaction.atomic():
                    handler: AlertHandler = import_string(path)
                    handler(change)
            except Exception as exc:
                # An outage too: the next evaluation will not send this change again, so it waits as a dead letter.
                self.failures += 1
                dead_letter_record(
                    kind=DeadLetterKind.ALERT_HANDLER,
                    item_model=AlertEvent._meta.label,
                    item_key=_item_key(change, path),
                    reason=reason_of(exc),
                )


def alert_handler_retry(item_key: str) -> None:
    """Dead-letter retry: run the one handler on the one change again, raising whatever still goes wrong."""
    event_id, mode, path = item_key.split("/", 2)
    if path not in settings.VIGIL_ALERT_HANDLERS:
        return  # no longer configured: nothing left to run
    event = AlertEvent.objects.select_related("alert").filter(pk=int(event_id)).first()
    if event is None:
        return
    alert = event.alert
    change = Change(
        event.kind,
        alert.pk,
        alert.policy_id,
        alert.scope,
        event.at,
        event.level,
        float(event.index_value or 0.0),
        event.pk,
        mode == "notify",
    )
    handler: AlertHandler = import_string(path)
    handler(change)
