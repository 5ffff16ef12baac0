"""Writes on early warning: policies (with AHP weighting), alert acknowledgement and resolution, silences."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.archive import archive, refuse_archived, restore
from config.errors import ConflictError, ErrorList, NotFoundError, ValidationError
from config.lookups import locked_or_404
from config.validation import UNSET
from monitoring.models import Alert, AlertEvent, AlertStatus, Brand, Level, MonitoringRule, Silence, WarningPolicy
from monitoring.models.warning import ScopeKind
from monitoring.warning.ahp import ahp_weights
from monitoring.warning.indicators import validate_indicators
from tenants.identity.principals import SYSTEM, Principal, check_permission

DEFAULT_THRESHOLDS = {"blue": 25.0, "yellow": 45.0, "orange": 65.0, "red": 80.0}
MAX_SILENCE = timedelta(days=30)


def _check_thresholds(errors: ErrorList, raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict) or set(raw) != set(Level.values):
        errors.add("thresholds", "Give blue, yellow, orange and red index thresholds.")
        return DEFAULT_THRESHOLDS
    values = [raw[level] for level in Level.values]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100 for v in values):
        errors.add("thresholds", "Thresholds are numbers in (0, 100].")
        return DEFAULT_THRESHOLDS
    if values != sorted(values) or len(set(values)) != len(values):
        errors.add("thresholds", "Thresholds must increase: blue < yellow < orange < red.")
    return {level: float(raw[level]) for level in Level.values}


def _check_scope(errors: ErrorList, kind: str, ids: list[int]) -> None:
    if kind not in ScopeKind.values:
        errors.add("scope_kind", f"Unknown scope kind '{kind}'; expected tenant, rule or brand.")
        return
    if kind == ScopeKind.TENANT and ids:
        errors.add("scope_ids", "A tenant-wide policy takes no scope ids.")
    if kind in (ScopeKind.RULE, ScopeKind.BRAND) and ids:
        model = MonitoringRule if kind == ScopeKind.RULE else Brand
        missing = set(ids) - set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            errors.add("scope_ids", f"No {kind} with id {sorted(missing)[0]}.")


def _weigh(indicators: list[dict[str, Any]], weighting: str, matrix: Any) -> tuple[list[dict[str, Any]], float | None]:
    if weighting == "direct":
        if matrix is not None:
            raise ValidationError("An AHP matrix is only used with weighting 'ahp'.", field="ahp_matrix")
        if sum(i["weight"] for i in indicators) <= 0:
            raise ValidationError("At least one indicator needs a weight above 0.", field="indicators")
        return indicators, None
    if weighting != "ahp":
        raise ValidationError(f"Unknown weighting '{weighting}'; expected direct or ahp.", field="weighting")
    if not isinstance(matrix, list) or not all(isinstance(row, list) for row in matrix):
        raise ValidationError("Weighting 'ahp' needs ahp_matrix: one row per indicator.", field="ahp_matrix")
    if len(matrix) != len(indicators):
        raise ValidationError(
            f"The AHP matrix has {len(matrix)} rows for {len(indicators)} indicators.", field="ahp_matrix"
        )
    result = ahp_weights(matrix)
    return [{**i, "weight": w} for i, w in zip(indicators, result.weights, strict=True)], result.consistency_ratio


def _validated(data: dict[str, Any], current: WarningPolicy | None = None) -> dict[str, Any]:
    errors = ErrorList()
    merged = {
        "name": current.name if current else "",
        "description": current.description if current else "",
        "is_active": current.is_active if current else True,
        "scope_kind": current.scope_kind if current else ScopeKind.TENANT,
        "scope_ids": list(current.scope_ids) if current else [],
        "indicators": current.indicators if current else None,
        "weighting": current.weighting if current else "direct",
        "ahp_matrix": current.ahp_matrix if current else None,
        "thresholds": current.thresholds if current else DEFAULT_THRESHOLDS,
        "realert_minutes": current.realert_minutes if current else 30,
        "resolve_below": current.resolve_below if current else None,
        "resolve_after": current.resolve_after if current else 3,
        "expires_at": current.expires_at if current else None,
        **{k: v for k, v in data.items() if v is not UNSET},
    }
    merged["name"] = str(merged["name"]).strip()
    if not merged["name"] or len(merged["name"]) > 200:
        errors.add("name", "Name is required, at most 200 characters.")
    _check_scope(errors, merged["scope_kind"], merged["scope_ids"])
    indicators = validate_indicators(merged["indicators"], errors)
    thresholds = _check_thresholds(errors, merged["thresholds"])
    if merged["resolve_below"] is None:
        merged["resolve_below"] = round(thresholds["blue"] * 0.8, 2)
    if not isinstance(merged["resolve_below"], (int, float)) or not 0 <= merged["resolve_below"] <= thresholds["blue"]:
        errors.add("resolve_below", "Between 0 and the blue threshold (hysteresis: resolve below where it opens).")
    for name, low, high in (("realert_minutes", 1, 7 * 24 * 60), ("resolve_after", 1, 1000)):
        value = merged[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.add(name, f"A whole number from {low} to {high}.")
    expires = merged["expires_at"]
    if expires is not None and (not isinstance(expires, datetime) or expires.tzinfo is None):
        errors.add("expires_at", "A time with its zone (ISO 8601), or empty for a policy that never expires.")
    errors.raise_if_any()
    merged["indicators"], merged["consistency_ratio"] = _weigh(indicators, merged["weighting"], merged["ahp_matrix"])
    merged["thresholds"] = thresholds
    clash = WarningPolicy.objects.filter(name=merged["name"], archived_at__isnull=True)
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    if clash.exists():
        raise ConflictError(f"A warning policy named '{merged['name']}' already exists.", field="name")
    return merged


@transaction.atomic
def policy_create(*, actor: Principal, **data: Any) -> WarningPolicy:
    check_permission(actor, "warning.manage")
    return WarningPolicy.objects.create(**_validated(data))


@transaction.atomic
def policy_update(*, actor: Principal, policy_id: int, **data: Any) -> WarningPolicy:
    check_permission(actor, "warning.manage")
    policy = locked_or_404(WarningPolicy, policy_id, "warning policy")
    refuse_archived(policy, "warning policy")
    for name, value in _validated(data, policy).items():
        setattr(policy, name, value)
    policy.save()
    return policy


@transaction.atomic
def policy_archive(*, actor: Principal, policy_id: int) -> WarningPolicy:
    """What DELETE does: the policy is no longer evaluated; its alerts, their history and case links stay."""
    check_permission(actor, "warning.manage")
    return archive(WarningPolicy, policy_id, "warning policy", actor=actor)[0]


@transaction.atomic
def policy_restore(*, actor: Principal, policy_id: int) -> WarningPolicy:
    check_permission(actor, "warning.manage")
    return restore(WarningPolicy, policy_id, "warning policy", actor=actor)[0]


def default_policy_create() -> WarningPolicy:
    """Every tenant starts with this: explainable, moderately sensitive, tenant-wide."""
    return policy_create(
        actor=SYSTEM,
        name="Default early warning",
        description="Volume surge, negativity, crisis terms, spread and influential voices over 15 minutes.",
        indicators=[
            {"key": "volume", "type": "volume_anomaly", "window_minutes": 15, "weight": 0.25},
            {"key": "negative", "type": "negative_ratio", "window_minutes": 15, "weight": 0.2},
            {"key": "crisis_terms", "type": "keyword_frequency", "window_minutes": 15, "weight": 0.2},
            {"key": "spread", "type": "spread_velocity", "window_minutes": 10, "weight": 0.2},
            {"key": "influencers", "type": "influential_involvement", "window_minutes": 30, "weight": 0.15},
        ],
    )


@transaction.atomic
def _actor_event(alert: Alert, kind: str, *, actor: Principal, note: str, at: datetime) -> AlertEvent:
    """An unsaved event on the alert's history for something a person did, at the alert's current level."""
    return AlertEvent(
        alert=alert, kind=kind, level=alert.level, index_value=alert.index_value, actor=actor.name, note=note, at=at
    )


@transaction.atomic
def alert_acknowledge(*, actor: Principal, alert_id: int, note: str = "") -> Alert:
    check_permission(actor, "alerts.act")
    alert = locked_or_404(Alert, alert_id, "alert")
    if alert.status != AlertStatus.OPEN:
        raise ConflictError(
            f"Alert {alert_id} is {alert.status}; only an open alert can be acknowledged.",
            field="status",
            code="invalid_transition",
        )
    now = timezone.now()
    alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, now, actor.name
    alert.save()
    _actor_event(alert, "acknowledged", actor=actor, note=note, at=now).save()
    return alert


@transaction.atomic
def alert_resolve(*, actor: Principal, alert_id: int, note: str = "") -> Alert:
    check_permission(actor, "alerts.act")
    alert = locked_or_404(Alert, alert_id, "alert")
    if alert.status == AlertStatus.RESOLVED:
        raise ConflictError(f"Alert {alert_id} is already resolved.", field="status", code="invalid_transition")
    now = timezone.now()
    alert.status, alert.resolved_at, alert.resolution, alert.resolved_by = (
        AlertStatus.RESOLVED,
        now,
        "manual",
        actor.name,
    )
    alert.save()
    _actor_event(alert, "resolved", actor=actor, note=note, at=now).save()
    return alert


@transaction.atomic
def scope_silence(
    *,
    actor: Principal,
    scope: str,
    minutes: int,
    reason: str = "",
    policy_id: int | None = None,
    starts_at: datetime | None = None,
) -> Silence:
    check_permission(actor, "alerts.act")
    errors = ErrorList()
    if not (
        scope in ("tenant", "*")
        or (scope.split(":")[0] in ("rule", "brand") and scope.split(":")[-1].isdigit() and scope.count(":") == 1)
    ):
        errors.add("scope", "Scope is 'tenant', 'rule:<id>', 'brand:<id>' or '*' (every scope).")
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_SILENCE.total_seconds() // 60:
        errors.add("minutes", f"Silence for 1 to {int(MAX_SILENCE.total_seconds() // 60)} minutes.")
    errors.raise_if_any()
    policy = None
    if policy_id is not None:
        policy = WarningPolicy.objects.filter(pk=policy_id).first()
        if policy is None:
            raise NotFoundError(f"No warning policy {policy_id}.", field="policy")
    start = starts_at or timezone.now()
    return Silence.objects.create(
        scope=scope,
        policy=policy,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        reason=reason,
        created_by=actor.name,
    )


@transaction.atomic
def alert_silence(*, actor: Principal, alert_id: int, minutes: int, reason: str = "") -> Silence:
    """Silence the alert's scope for its policy: no notifications, no reopening until it ends."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(f"No alert {alert_id}.", field="id")
    silence = scope_silence(actor=actor, scope=alert.scope, minutes=minutes, reason=reason, policy_id=alert.policy_id)
    _actor_event(alert, "silenced", actor=actor, note=reason, at=silence.starts_at).save()
    return silence


@transaction.atomic
def silence_end(*, actor: Principal, silence_id: int, note: str = "") -> Silence:
    """End a silence now, before its planned end; the alerts it was holding back get an `unsilenced` event."""
    check_permission(actor, "alerts.act")
    silence = locked_or_404(Silence, silence_id, "silence")
    now = timezone.now()
    if silence.ended_at is not None or silence.ends_at <= now:
        raise ConflictError(f"Silence {silence_id} has already ended.", field="id", code="invalid_transition")
    silence.ended_at, silence.ended_by = now, actor.name
    silence.save(update_fields=["ended_at", "ended_by"])
    if silence.starts_at <= now:
        held = Alert.objects.exclude(status=AlertStatus.RESOLVED)
        if silence.scope != "*":
            held = held.filter(scope=silence.scope)
        if silence.policy_id is not None:
            held = held.filter(policy_id=silence.policy_id)
        AlertEvent.objects.bulk_create(
            _actor_event(alert, "unsilenced", actor=actor, note=note, at=now) for alert in held
        )
    return silence
