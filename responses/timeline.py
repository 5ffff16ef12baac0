"""The one way anything is written to a case's append-only timeline."""

from typing import Any

from django.utils import timezone

from responses.models import CaseEvent, CrisisCase
from tenants.identity.principals import Principal


def timeline_add(case: CrisisCase, kind: str, actor: Principal, summary: str, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor.name, at=timezone.now(), summary=summary, data=data
    )
