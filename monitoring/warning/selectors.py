from django.db.models import QuerySet

from config.archive import archived_filter
from config.errors import NotFoundError, ValidationError
from monitoring.models import Alert, AlertStatus, Level, Silence, WarningPolicy
from monitoring.warning.indicators import TYPES, IndicatorType
from tenants.identity.principals import Principal, check_permission


def policy_list(*, actor: Principal, archived: bool = False) -> QuerySet[WarningPolicy]:
    """Live policies; with `archived`, the archived ones too."""
    check_permission(actor, "warning.read")
    return archived_filter(WarningPolicy.objects.order_by("id"), archived)


def policy_get(*, actor: Principal, policy_id: int) -> WarningPolicy:
    check_permission(actor, "warning.read")
    policy = WarningPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFoundError(f"No warning policy {policy_id}.", field="id")
    return policy


def alert_list(
    *,
    actor: Principal,
    status: list[str] | None = None,
    level: list[str] | None = None,
    scope: str = "",
    policy: int | None = None,
) -> QuerySet[Alert]:
    check_permission(actor, "warning.read")
    for name, values, allowed in (("status", status, AlertStatus.values), ("level", level, Level.values)):
        unknown = [v for v in values or [] if v not in allowed]
        if unknown:
            raise ValidationError(f"Unknown {name} '{unknown[0]}'; expected any of {', '.join(allowed)}.", field=name)
    alerts = Alert.objects.select_related("policy").prefetch_related("events").order_by("-opened_at", "-id")
    if status:
        alerts = alerts.filter(status__in=status)
    if level:
        alerts = alerts.filter(level__in=level)
    if scope:
        alerts = alerts.filter(scope=scope)
    if policy is not None:
        alerts = alerts.filter(policy_id=policy)
    return alerts


def alert_get(*, actor: Principal, alert_id: int) -> Alert:
    check_permission(actor, "warning.read")
    alert = Alert.objects.select_related("policy").prefetch_related("events").filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(f"No alert {alert_id}.", field="id")
    return alert


def silence_list(*, actor: Principal) -> QuerySet[Silence]:
    check_permission(actor, "warning.read")
    return Silence.objects.order_by("-ends_at")


def indicator_types(*, actor: Principal) -> dict[str, IndicatorType]:
    """The indicator types a policy can use, by name."""
    check_permission(actor, "warning.read")
    return TYPES
