"""Backtests: run a policy over a past period of stored data and list the alerts it would have raised.
Nothing is written and nobody is notified; the lifecycle rules are the live ones (engine.step)."""

from datetime import datetime, timedelta
from typing import Any

from config.errors import ValidationError
from monitoring.models import WarningPolicy
from monitoring.warning.engine import AlertState, assess, lookback, policy_scopes, step
from monitoring.warning.sources import SeriesSource
from tenants.identity.principals import Principal, check_permission

MAX_STEPS = 20_000


def backtest(
    *,
    actor: Principal,
    policy: WarningPolicy,
    start: datetime,
    end: datetime,
    step_minutes: int = 1,
    scopes: list[str] | None = None,
) -> dict[str, Any]:
    check_permission(actor, "warning.read")
    if end <= start:
        raise ValidationError("end must be after start.", field="end")
    if not 1 <= step_minutes <= 1440:
        raise ValidationError("step_minutes is between 1 and 1440.", field="step_minutes")
    targets = scopes or policy_scopes(policy)
    steps = int((end - start).total_seconds() // (60 * step_minutes)) + 1
    if steps * len(targets) > MAX_STEPS:
        raise ValidationError(
            f"{steps} steps × {len(targets)} scopes is more than {MAX_STEPS} evaluations; "
            "shorten the period, raise step_minutes or pick scopes.",
            field="end",
        )
    days = max((i["params"].get("days", 0) for i in policy.indicators), default=0)
    history = timedelta(days=days) + lookback([policy])
    alerts: list[dict[str, Any]] = []
    for scope in targets:
        source = SeriesSource.stored(scope, start - history, end)
        state: AlertState | None = None
        current: dict[str, Any] | None = None
        at = start
        while at <= end:
            assessment = assess(policy, scope, source, at)
            state, kind, _notify = step(state, assessment, policy, silenced=False)
            if kind == "opened":
                current = {
                    "scope": scope,
                    "opened_at": at,
                    "level": assessment.level,
                    "peak_level": assessment.level,
                    "peak_index": assessment.index,
                    "resolved_at": None,
                    "events": [],
                    "indicators": assessment.snapshot(),
                }
                alerts.append(current)
            if current is not None and state is not None:
                current["peak_level"], current["peak_index"] = state.peak_level, state.peak_index
                if kind:
                    current["events"].append({"kind": kind, "at": at, "level": state.level, "index": assessment.index})
                if kind == "resolved":
                    current["resolved_at"] = at
                    state, current = None, None
            at += timedelta(minutes=step_minutes)
    return {
        "policy": policy.pk,
        "start": start,
        "end": end,
        "step_minutes": step_minutes,
        "scopes": targets,
        "evaluations": steps * len(targets),
        "alerts": alerts,
    }
