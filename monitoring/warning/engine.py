"""Evaluation: indicators → composite warning index (0–100) → level → alert lifecycle, per policy and scope."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from monitoring.deadletters.services import Quarantine
from monitoring.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    Brand,
    DeadLetterKind,
    Level,
    MonitoringRule,
    Silence,
    WarningPolicy,
)
from monitoring.models.warning import LEVEL_RANK, ScopeKind
from monitoring.warning.handlers import AlertHandlers, Change
from monitoring.warning.indicators import Reading, Source, read
from monitoring.warning.sources import LiveSource
from tenants.billing.suspension import alerting_paused

LEVELS_DESCENDING = (Level.RED, Level.ORANGE, Level.YELLOW, Level.BLUE)


@dataclass(frozen=True)
class Assessment:
    policy_id: int
    scope: str
    at: datetime
    index: float
    level: str | None
    readings: list[Reading]

    def snapshot(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.readings]


def evaluated_policies(now: datetime) -> QuerySet[WarningPolicy]:
    """The policies the engine evaluates at `now`: active, live, and not expired (a post-crisis watch that ended)."""
    return WarningPolicy.objects.filter(is_active=True, archived_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def level_for(index: float, thresholds: dict[str, float]) -> str | None:
    for level in LEVELS_DESCENDING:
        if index >= thresholds[level]:
            return str(level)
    return None


def assess(policy: WarningPolicy, scope: str, source: Source, now: datetime) -> Assessment:
    readings = [read(source, scope, now, indicator, float(indicator["weight"])) for indicator in policy.indicators]
    total_weight = sum(r.weight for r in readings) or 1.0
    index = 100 * sum(r.score * r.weight for r in readings) / total_weight
    return Assessment(policy.pk, scope, now, round(index, 2), level_for(index, policy.thresholds), readings)


def lookback(policies: Iterable[WarningPolicy]) -> timedelta:
    longest = 1
    for policy in policies:
        for indicator in policy.indicators:
            params = indicator["params"]
            span = params.get("span", 1) if params.get("method") == "ewma" else 1
            longest = max(longest, indicator["window_minutes"] * (span + 2))
            if indicator["type"] == "forecast_size":  # its bins, plus the minute under way
                longest = max(longest, params["bin_minutes"] * params["history_bins"] + 1)
    return timedelta(minutes=longest)


def policy_scopes(policy: WarningPolicy) -> list[str]:
    if policy.scope_kind == ScopeKind.TENANT:
        return ["tenant"]
    model = MonitoringRule if policy.scope_kind == ScopeKind.RULE else Brand
    ids = policy.scope_ids or list(
        model.objects.filter(is_active=True, archived_at__isnull=True).values_list("id", flat=True)
    )
    return [f"{policy.scope_kind}:{i}" for i in ids]


def _silenced(silences: list[Silence], policy: WarningPolicy, scope: str, now: datetime) -> bool:
    return any(
        x.scope in (scope, "*") and x.policy_id in (None, policy.pk) and x.starts_at <= now < x.ends_at
        for x in silences
    )


@dataclass
class AlertState:
    """The part of an alert the lifecycle rules read and change; the same rules drive alerts and backtests."""

    status: str
    level: str
    peak_level: str
    index: float
    peak_index: float
    opened_at: datetime
    below_count: int = 0
    last_notified_at: datetime | None = None


def step(
    state: AlertState | None, a: Assessment, policy: WarningPolicy, silenced: bool
) -> tuple[AlertState | None, str | None, bool]:
    """One evaluation of the lifecycle: (new state or None when none is live, event kind or None, notify?)."""
    if state is None:
        if a.level is None or silenced:
            return None, None, False
        opened = AlertState(AlertStatus.OPEN, a.level, a.level, a.index, a.index, a.at, last_notified_at=a.at)
        return opened, "opened", True
    state.index = a.index
    if a.index < policy.resolve_below:
        state.below_count += 1
        if state.below_count >= policy.resolve_after:
            state.status = AlertStatus.RESOLVED
            return state, "resolved", not silenced
        return state, None, False
    state.below_count = 0
    state.peak_index = max(state.peak_index, a.index)
    if a.level is not None and LEVEL_RANK[Level(a.level)] > LEVEL_RANK[Level(state.level)]:
        state.level = a.level
        if LEVEL_RANK[Level(a.level)] > LEVEL_RANK[Level(state.peak_level)]:
            state.peak_level = a.level
        if not silenced:
            state.last_notified_at = a.at
        return state, "escalated", not silenced
    if a.level is not None and LEVEL_RANK[Level(a.level)] < LEVEL_RANK[Level(state.level)]:
        state.level = a.level
        return state, "deescalated", False
    if (
        state.status == AlertStatus.OPEN
        and not silenced
        and state.last_notified_at is not None
        and a.at - state.last_notified_at >= timedelta(minutes=policy.realert_minutes)
    ):
        state.last_notified_at = a.at
        return state, "reminded", True
    return state, None, False


def _state_of(alert: Alert) -> AlertState:
    return AlertState(
        alert.status,
        alert.level,
        alert.peak_level,
        alert.index_value,
        alert.peak_index,
        alert.opened_at,
        alert.below_count,
        alert.last_notified_at,
    )


def apply(policy: WarningPolicy, a: Assessment, silenced: bool) -> Change | None:
    """Move the policy/scope alert through its lifecycle in the database; returns the change it made, if any."""
    live = (
        Alert.objects.select_for_update()
        .filter(policy=policy, scope=a.scope)
        .exclude(status=AlertStatus.RESOLVED)
        .first()
    )
    state, kind, notify = step(_state_of(live) if live else None, a, policy, silenced)
    if state is None:
        return None
    alert = live or Alert(policy=policy, scope=a.scope, opened_at=a.at)
    alert.status, alert.level, alert.peak_level = state.status, state.level, state.peak_level
    alert.index_value, alert.peak_index, alert.below_count = state.index, state.peak_index, state.below_count
    alert.last_evaluated_at = a.at
    if kind is not None:
        alert.indicators = a.snapshot()
    if notify:
        alert.last_notified_at, alert.last_notified_level = a.at, state.level
    if kind == "resolved":
        alert.resolved_at, alert.resolution = a.at, "auto"
    alert.save()
    if kind is None:
        return None
    note = f"below {policy.resolve_below:g} for {state.below_count} evaluations" if kind == "resolved" else ""
    event = AlertEvent.objects.create(
        alert=alert, kind=kind, level=alert.level, index_value=a.index, note=note, at=a.at
    )
    return Change(kind, alert.pk, policy.pk, a.scope, a.at, state.level, a.index, event.pk, notify)


def evaluate(
    *,
    scopes: set[str] | None = None,
    now: datetime | None = None,
    quarantine: Quarantine | None = None,
    handlers: AlertHandlers | None = None,
) -> list[Change]:
    """Evaluate every active policy on its scopes (or only `scopes`); one transaction per policy and scope, after
    which the alert handlers run on its change. Returns the changes people are told of.

    A policy or scope that raises is quarantined (key `<policy id>/<scope>`, or `<policy id>/*` when the policy
    itself cannot be read) and the others are evaluated as usual.
    """
    if alerting_paused():
        return []  # suspended: mentions are stored, alerts wait until the tenant is resumed
    now = now or timezone.now()
    quarantine = quarantine or Quarantine(DeadLetterKind.WARNING_SCOPE, WarningPolicy)
    handlers = handlers or AlertHandlers()
    targets: dict[int, list[str]] = {}
    policies: list[WarningPolicy] = []
    for policy in evaluated_policies(now):
        with quarantine.item(f"{policy.pk}/*"):
            lookback([policy])
            targets[policy.pk] = [s for s in policy_scopes(policy) if scopes is None or s in scopes]
            policies.append(policy)
    wanted = sorted({s for found in targets.values() for s in found})
    if not wanted:
        return []
    source = LiveSource(wanted, now, lookback(policies))
    live = set(Alert.objects.exclude(status=AlertStatus.RESOLVED).values_list("policy_id", "scope"))
    silences = list(Silence.objects.filter(ends_at__gt=now, starts_at__lte=now, ended_at__isnull=True))
    changes: list[Change] = []
    for policy in policies:
        for scope in targets[policy.pk]:
            with quarantine.item(f"{policy.pk}/{scope}"):
                change = _evaluate_scope(policy, scope, source, now, live, silences, handlers)
                if change is not None and change.notify:
                    changes.append(change)
    return changes


def _evaluate_scope(
    policy: WarningPolicy,
    scope: str,
    source: Source,
    now: datetime,
    live: set[tuple[int, str]],
    silences: list[Silence],
    handlers: AlertHandlers,
) -> Change | None:
    assessment = assess(policy, scope, source, now)
    if assessment.level is None and (policy.pk, scope) not in live:
        return None  # calm and nothing open: no write, no lock
    with transaction.atomic():
        change = apply(policy, assessment, _silenced(silences, policy, scope, now))
        if change is not None:
            # After commit: a failing handler can neither undo the alert nor stop the run (see handlers).
            transaction.on_commit(lambda c=change: handlers.run(c))  # type: ignore[misc]
    return change


def warning_scope_retry(item_key: str) -> None:
    """Dead-letter retry: evaluate the one policy (and scope) now, raising whatever still goes wrong."""
    if alerting_paused():
        return
    policy_id, _, scope = item_key.partition("/")
    now = timezone.now()
    policy = evaluated_policies(now).filter(pk=int(policy_id)).first()
    if policy is None:
        return  # deleted, switched off or expired since: nothing left to evaluate
    wanted = policy_scopes(policy) if scope == "*" else [scope]
    source = LiveSource(wanted, now, lookback([policy]))
    open_alerts = Alert.objects.filter(policy=policy).exclude(status=AlertStatus.RESOLVED)
    live = set(open_alerts.values_list("policy_id", "scope"))
    silences = list(Silence.objects.filter(ends_at__gt=now, starts_at__lte=now))
    handlers = AlertHandlers()
    for each in wanted:
        _evaluate_scope(policy, each, source, now, live, silences, handlers)
