"""The effect of each response (輿情引導效果): for every statement publication, reply-script use and completed critical
task on a case, what the case's talk did in the minutes before and after it, and a plain verdict.

The talk is the case's scope (its brands' mentions and its evidence, as in the analytics), read per minute through
monitoring's trends selector, and the after window's expected size comes from monitoring's volume forecast model
(ETS(A,Ad,N), `forecast_series`) fitted on the before window only, so a verdict compares what happened with what the
talk was heading for, not just with what came before it.

The rule (README, "Response effects"):
- volume signal: z = (actual − forecast) / deviation, the deviation being the larger of the Poisson one,
  √max(forecast, 1), and the forecast's own (its per-bin 80% intervals read as normal deviations, summed in
  quadrature); z ≤ −2 is lower (−1), z ≥ +2 higher (+1), else 0;
- negativity signal: the negative share after against before, a change of at least 5 points that is also at least
  2 standard errors of the pooled two-proportion test; down −1, up +1, else 0;
- calmed: some signal −1 and none +1; inflamed: some +1 and none −1; no_change otherwise (none, or mixed).
An action with no mentions before it, or whose after window has not begun, is `no_change` with the reason; an after
window still under way is judged on its elapsed minutes.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from config.errors import ValidationError
from monitoring.analytics.trends import EMOTIONS, scope_trends
from monitoring.analytics.volume import floor_to
from monitoring.cascades.forecast import forecast_series
from responses.cases.selectors import case_get
from responses.models import CaseEvent, CaseTask, CrisisCase, StatementPublication, TaskPriority, TaskStatus
from tenants.identity.principals import Principal

DEFAULT_WINDOW_MINUTES = 120
MIN_WINDOW_MINUTES = 15
MAX_WINDOW_MINUTES = 480
# The forecast's bins: every window is a whole number of them, aligned on the action's minute.
FORECAST_BIN_MINUTES = 5
FORECAST_LEVEL = 0.8
# scope_trends reads at most this many intervals in one call; actions close together share one read.
MAX_READ_MINUTES = 1000
SIGNIFICANT_Z = 2.0
MIN_SHARE_CHANGE = 0.05
SCRIPT_USED = "script_used"

_MINUTE = timedelta(minutes=1)
_Z80 = statistics.NormalDist().inv_cdf((1 + FORECAST_LEVEL) / 2)


@dataclass(frozen=True)
class Action:
    kind: str
    at: datetime
    ref: dict[str, Any]
    summary: str


def parse_windows(*, before: int | None, after: int | None, window: int | None) -> tuple[int, int]:
    """Minutes before and after each action: `window` sets both, or `before` and `after` each (default 120)."""
    if window is not None and (before is not None or after is not None):
        raise ValidationError("Give window, or before and after, not both.", field="window")
    chosen = {
        "before": window if window is not None else before,
        "after": window if window is not None else after,
    }
    for name, value in chosen.items():
        field = "window" if window is not None else name
        if value is None:
            continue
        if not MIN_WINDOW_MINUTES <= value <= MAX_WINDOW_MINUTES or value % FORECAST_BIN_MINUTES:
            raise ValidationError(
                f"{field} is {value}; expected minutes from {MIN_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES}, "
                f"a multiple of {FORECAST_BIN_MINUTES}.",
                field=field,
            )
    return chosen["before"] or DEFAULT_WINDOW_MINUTES, chosen["after"] or DEFAULT_WINDOW_MINUTES


def case_actions(case: CrisisCase) -> list[Action]:
    """The case's responses in time order: statement publications (one per channel and version), reply-script uses
    recorded on the case, and critical tasks done."""
    found = [
        Action(
            "statement_published",
            p.published_at,
            {"statement_id": p.statement_id, "version": p.version, "channel": p.channel},
            f"Statement #{p.statement_id} v{p.version} published on {p.channel}: {p.statement.title}",
        )
        for p in StatementPublication.objects.filter(statement__case=case).select_related("statement")
    ]
    found += [
        Action(
            "reply_script_used",
            e.at,
            {"script_id": e.data.get("script_id"), "language": e.data.get("language", "")},
            f"Reply script #{e.data.get('script_id')} used: {e.data.get('name', '')}",
        )
        for e in CaseEvent.objects.filter(case=case, kind=SCRIPT_USED)
    ]
    found += [
        Action("critical_task_completed", t.completed_at, {"task_id": t.pk}, f"Critical task #{t.pk} done: {t.title}")
        for t in CaseTask.objects.filter(
            case=case, priority=TaskPriority.CRITICAL, status=TaskStatus.DONE, completed_at__isnull=False
        )
        if t.completed_at is not None
    ]
    order = {"statement_published": 0, "reply_script_used": 1, "critical_task_completed": 2}
    return sorted(found, key=lambda a: (a.at, order[a.kind], sorted(a.ref.items())))


def case_response_effects(
    *,
    actor: Principal,
    case_id: int,
    before: int | None = None,
    after: int | None = None,
    window: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every response on the case with its before/after windows, the forecast against what happened, and a verdict,
    oldest first."""
    before_minutes, after_minutes = parse_windows(before=before, after=after, window=window)
    case = case_get(actor=actor, case_id=case_id)
    brands = [b.pk for b in case.brands.all()]
    evidence = [m.pk for m in case.evidence.all()]
    until = floor_to(now or timezone.now(), _MINUTE)
    actions = case_actions(case)
    reads = _minute_series(actor, case, actions, before_minutes, after_minutes, until, brands, evidence)
    return {
        "case_id": case.pk,
        "scope": f"case:{case.pk}",
        "before_minutes": before_minutes,
        "after_minutes": after_minutes,
        "until": until,
        "actions": [_effect(action, reads, before_minutes, after_minutes, until) for action in actions],
    }


def action_effect(*, actor: Principal, case: CrisisCase, action: Action, now: datetime | None = None) -> dict[str, Any]:
    """One action's effect at the default windows, reading only the minutes around it (the evaluation judges the
    first statement alone, on many cases at once)."""
    until = floor_to(now or timezone.now(), _MINUTE)
    brands = [b.pk for b in case.brands.all()]
    evidence = [m.pk for m in case.evidence.all()]
    window = DEFAULT_WINDOW_MINUTES
    reads = _minute_series(actor, case, [action], window, window, until, brands, evidence)
    return _effect(action, reads, window, window, until)


def _minute_series(
    actor: Principal,
    case: CrisisCase,
    actions: list[Action],
    before_minutes: int,
    after_minutes: int,
    until: datetime,
    brands: list[int],
    evidence: list[int],
) -> dict[datetime, dict[str, Any]]:
    """Per-minute points of the case's scope around every action, read through monitoring's trends selector in as
    few calls as fit its interval limit."""
    spans = []
    for action in actions:
        at = floor_to(action.at, _MINUTE)
        start, end = at - timedelta(minutes=before_minutes), min(at + timedelta(minutes=after_minutes), until)
        if start < end:
            spans.append((start, end))
    points: dict[datetime, dict[str, Any]] = {}
    chunk: tuple[datetime, datetime] | None = None
    for start, end in sorted(spans):
        if chunk and max(end, chunk[1]) - chunk[0] <= _MINUTE * MAX_READ_MINUTES:
            chunk = (chunk[0], max(end, chunk[1]))
            continue
        if chunk:
            points |= _read(actor, case, chunk, brands, evidence)
        chunk = (start, end)
    if chunk:
        points |= _read(actor, case, chunk, brands, evidence)
    return points


def _read(
    actor: Principal, case: CrisisCase, span: tuple[datetime, datetime], brands: list[int], evidence: list[int]
) -> dict[datetime, dict[str, Any]]:
    trends = scope_trends(
        actor=actor,
        scope=f"case:{case.pk}",
        interval="1m",
        since=span[0],
        until=span[1],
        case_brands=brands,
        case_mentions=evidence,
    )
    return {p["at"]: p for p in trends["series"]}


def _effect(
    action: Action,
    reads: dict[datetime, dict[str, Any]],
    before_minutes: int,
    after_minutes: int,
    until: datetime,
) -> dict[str, Any]:
    at = floor_to(action.at, _MINUTE)
    elapsed = max(0, min(after_minutes, round((until - at) / _MINUTE)))
    before_points = [_at(reads, at - _MINUTE * (before_minutes - k)) for k in range(before_minutes)]
    after_points = [_at(reads, at + _MINUTE * k) for k in range(elapsed)]
    windows = {"before": _window(before_points), "after": _window(after_points)}
    windows["after"]["complete"] = elapsed == after_minutes
    forecast = _forecast([p["mentions"] for p in before_points], elapsed)
    verdict, explanation, inputs = _verdict(windows["before"], windows["after"], forecast, before_minutes, elapsed)
    return {
        "kind": action.kind,
        "at": action.at,
        "summary": action.summary,
        **action.ref,
        "windows": windows,
        "forecast": forecast,
        "verdict": verdict,
        "explanation": explanation,
        "inputs": inputs,
    }


def _at(reads: dict[datetime, dict[str, Any]], minute: datetime) -> dict[str, Any]:
    return reads.get(minute) or {"mentions": 0, "sentiment": {"negative": 0}, "emotions": dict.fromkeys(EMOTIONS, 0)}


def slope_per_hour(counts: Sequence[int]) -> float | None:
    """Least-squares slope of per-minute counts, as the change of the hourly rate per hour (3600 × mentions per
    minute per minute); None for fewer than two minutes."""
    n = len(counts)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(counts) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(counts))
    return round(3600 * sxy / sxx, 4)


def _window(points: list[dict[str, Any]]) -> dict[str, Any]:
    counts = [p["mentions"] for p in points]
    mentions = sum(counts)
    negative = sum(p["sentiment"]["negative"] for p in points)
    emotions = {e: sum(p["emotions"][e] for p in points) for e in EMOTIONS}
    labelled = sum(emotions.values())
    return {
        "minutes": len(points),
        "mentions": mentions,
        "per_hour": round(60 * mentions / len(points), 4) if points else None,
        "slope_per_hour": slope_per_hour(counts),
        "negative": negative,
        "negative_share": round(negative / mentions, 4) if mentions else None,
        "emotions": emotions,
        "emotion_mix": {e: round(n / labelled, 4) for e, n in emotions.items()} if labelled else None,
    }


def _forecast(before_counts: list[int], elapsed: int) -> dict[str, Any]:
    """The after window's size forecast from the before window, in bins of FORECAST_BIN_MINUTES ending at the
    action; a last partial bin counts pro rata."""
    size = FORECAST_BIN_MINUTES
    bins = [sum(before_counts[k : k + size]) for k in range(0, len(before_counts), size)]
    steps = math.ceil(elapsed / size)
    predicted = forecast_series(bins, steps, level=FORECAST_LEVEL)
    mean = variance = 0.0
    for k, (m, low, high) in enumerate(predicted):
        part = min(size, elapsed - k * size) / size
        mean += part * m
        variance += (part * (high - low) / (2 * _Z80)) ** 2
    return {
        "model": "ets_damped_trend",
        "bin_minutes": size,
        "history_bins": len(bins),
        "minutes": elapsed,
        "mentions": round(mean, 2),
        "deviation": round(max(math.sqrt(max(mean, 1.0)), math.sqrt(variance)), 4),
    }


def _verdict(
    before: dict[str, Any], after: dict[str, Any], forecast: dict[str, Any], before_minutes: int, elapsed: int
) -> tuple[str, str, dict[str, Any]]:
    inputs: dict[str, Any] = {
        "mentions_before": before["mentions"],
        "mentions_after": after["mentions"],
        "after_minutes_elapsed": elapsed,
        "forecast_mentions": forecast["mentions"],
        "forecast_deviation": forecast["deviation"],
        "volume_z": None,
        "volume_signal": 0,
        "negative_share_before": before["negative_share"],
        "negative_share_after": after["negative_share"],
        "negative_share_change": None,
        "negative_z": None,
        "negative_signal": 0,
        "slope_before": before["slope_per_hour"],
        "slope_after": after["slope_per_hour"],
        "thresholds": {"z": SIGNIFICANT_Z, "share_change": MIN_SHARE_CHANGE},
    }
    if elapsed == 0:
        return "no_change", "The after window has not begun: nothing to judge yet.", inputs
    if before["mentions"] == 0:
        return (
            "no_change",
            f"No mentions in the {before_minutes} minutes before: nothing to compare with.",
            inputs,
        )
    z = (after["mentions"] - forecast["mentions"]) / forecast["deviation"]
    inputs["volume_z"] = round(z, 4)
    inputs["volume_signal"] = _signal(z)
    parts = [
        f"{after['mentions']} mentions in the {elapsed} minutes after against {forecast['mentions']:g} forecast "
        f"from the {before_minutes} before (z {z:+.2f})"
    ]
    if after["mentions"]:
        change = after["negative"] / after["mentions"] - before["negative"] / before["mentions"]
        pooled = (before["negative"] + after["negative"]) / (before["mentions"] + after["mentions"])
        inputs["negative_share_change"] = round(change, 4)
        if 0 < pooled < 1:
            error = math.sqrt(pooled * (1 - pooled) * (1 / before["mentions"] + 1 / after["mentions"]))
            negative_z = change / error
            inputs["negative_z"] = round(negative_z, 4)
            if abs(change) >= MIN_SHARE_CHANGE:
                inputs["negative_signal"] = _signal(negative_z)
        parts.append(
            f"negative share {before['negative_share']:.0%} → {after['negative_share']:.0%}"
            + (f" (z {inputs['negative_z']:+.2f})" if inputs["negative_z"] is not None else "")
        )
    else:
        parts.append("no mentions after, so no negative share to compare")
    signals = {inputs["volume_signal"], inputs["negative_signal"]}
    if -1 in signals and 1 not in signals:
        verdict = "calmed"
    elif 1 in signals and -1 not in signals:
        verdict = "inflamed"
    else:
        verdict = "no_change"
    reason = {
        "calmed": "the talk calmed",
        "inflamed": "the talk grew more heated",
        "no_change": "mixed signals" if signals == {-1, 1} else "within noise",
    }[verdict]
    return verdict, f"{'; '.join(parts)}: {reason}.", inputs


def _signal(z: float) -> int:
    return -1 if z <= -SIGNIFICANT_Z else 1 if z >= SIGNIFICANT_Z else 0
