"""Automatic promotion: a warning policy can open a crisis case itself when an alert reaches a level
(e.g. red on an own brand). A scope that already has an open case gets the new alert linked instead."""

from typing import Any

from django.db import transaction

from api.principals import SYSTEM
from monitoring.models import Alert, Brand, BrandKind, Level
from monitoring.models.warning import LEVEL_RANK
from responses.cases.services import case_from_alert
from responses.cases.timeline import timeline_add
from responses.models import CaseStatus, CrisisCase

CLOSED = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)


def qualifies(alert: Alert) -> bool:
    policy = alert.policy
    if not policy.promote_level or LEVEL_RANK[Level(alert.level)] < LEVEL_RANK[Level(policy.promote_level)]:
        return False
    if not policy.promote_own_brands_only:
        return True
    kind, _, ident = alert.scope.partition(":")
    return kind == "brand" and Brand.objects.filter(pk=ident, kind=BrandKind.OWN).exists()


def promote_if_due(alert: Alert) -> CrisisCase | None:
    """Open (or extend) the case for this alert when its policy says so; None when nothing was due."""
    if not qualifies(alert) or alert.cases.exists():
        return None
    ongoing = (
        CrisisCase.objects.select_for_update()
        .filter(alerts__scope=alert.scope)
        .exclude(status__in=CLOSED)
        .order_by("-created_at")
        .first()
    )
    if ongoing is not None:
        ongoing.alerts.add(alert)
        timeline_add(
            ongoing,
            "alert_linked",
            SYSTEM,
            f"Alert {alert.pk} ({alert.level}) on the same scope linked automatically",
            alert_id=alert.pk,
        )
        return ongoing
    policy = alert.policy
    return case_from_alert(
        actor=SYSTEM,
        alert_id=alert.pk,
        scenario=policy.promote_scenario,
        reason=f"policy “{policy.name}” promotes {policy.promote_level} and above",
    )


@transaction.atomic
def on_alert_changed(sender: Any, alert: Alert, kind: str, **_: Any) -> None:
    if kind in ("opened", "escalated"):
        promote_if_due(alert)
