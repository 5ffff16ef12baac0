"""The one way anything is written to a case's append-only timeline."""

from typing import Any

from django.utils import timezone

from api.principals import Principal
from responses.models import CaseEvent, CrisisCase
from responses.webhook_events import timeline_announce


def timeline_add(case: CrisisCase, kind: str, actor: Principal, summary: str, **data: Any) -> CaseEvent:
    """Append an entry and queue the webhook events it announces (responses.webhook_events), in one transaction."""
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor.name, at=timezone.now(), summary=summary, data=data
    )
    timeline_announce(event)
    return event
