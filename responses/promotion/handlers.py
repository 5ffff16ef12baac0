"""Automatic promotion: a warning policy's promotion rule can open a crisis case by itself when an alert reaches a
level (e.g. red on an own brand). A scope that already has an open case gets the new alert linked instead."""

from django.db import transaction

from monitoring.models import Alert, Brand, BrandKind, Level
from monitoring.models.warning import LEVEL_RANK
from monitoring.warning.handlers import Change
from responses.cases.services import case_from_alert
from responses.cases.timeline import timeline_add
from responses.models import CaseStatus, CrisisCase
from responses.promotion.selectors import promotion_rule_of
from tenants.identity.principals import SYSTEM

CLOSED = (CaseStatus.RESOLVED, CaseStatus.REVIEWED)


def qualifies(alert: Alert) -> bool:
    rule = promotion_rule_of(alert.policy)
    if not rule.level or LEVEL_RANK[Level(alert.level)] < LEVEL_RANK[Level(rule.level)]:
        return False
    if not rule.own_brands_only:
        return True
    kind, _, ident = alert.scope.partition(":")
    return kind == "brand" and Brand.objects.filter(pk=ident, kind=BrandKind.OWN).exists()


def promote_if_due(alert: Alert) -> CrisisCase | None:
    """Open (or extend) the case for this alert when its policy's rule says so; None when nothing was due."""
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
    rule = promotion_rule_of(alert.policy)
    return case_from_alert(
        actor=SYSTEM,
        alert_id=alert.pk,
        scenario=rule.scenario,
        reason=f"policy “{alert.policy.name}” promotes {rule.level} and above",
    )


@transaction.atomic
def alert_promote(change: Change) -> None:
    """Alert handler (VIGIL_ALERT_HANDLERS): an alert that opened or escalated may open or join a case."""
    if change.kind not in ("opened", "escalated"):
        return
    # The row lock makes two handler runs on one alert (opened, then escalated) promote it once.
    alert = Alert.objects.select_for_update().select_related("policy").get(pk=change.alert_id)
    promote_if_due(alert)
