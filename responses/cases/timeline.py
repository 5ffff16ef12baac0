"""A case's append-only timeline: the one way anything is written to it, and its CSV export."""

import csv
import io
import json
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from config.timestamps import format_timestamp
from responses.cases.webhook_events import timeline_announce
from responses.models import CaseEvent, CrisisCase
from tenants.identity.principals import Principal


def timeline_add(case: CrisisCase, kind: str, actor: Principal, summary: str, **data: Any) -> CaseEvent:
    """Append an entry and queue the webhook events it announces (responses.cases.webhook_events), in one
    transaction."""
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor.name, at=timezone.now(), summary=summary, data=data
    )
    timeline_announce(event)
    return event


def timeline_csv(events: QuerySet[CaseEvent]) -> str:
    """The timeline as a CSV file; it starts with a byte-order mark, which is how Excel knows the file is UTF-8
    (without it Chinese text opens as mojibake)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["at", "kind", "actor", "summary", "data"])
    for event in events:
        writer.writerow(
            [
                format_timestamp(event.at),
                event.kind,
                event.actor,
                event.summary,
                json.dumps(event.data, ensure_ascii=False, sort_keys=True),
            ]
        )
    return out.getvalue()
