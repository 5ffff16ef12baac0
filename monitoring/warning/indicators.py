"""Indicator types: how each turns the scope's recent activity into a raw value and a 0–1 score.

Each indicator reads its data through a `Source`, so live evaluation (SQL aggregates for many scopes) and
backtests (in-memory series of one scope) run exactly the same arithmetic.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from config.errors import ErrorList
from monitoring.cascades.forecast import SERIES_MIN_POINTS, SERIES_WINDOW, damped_trend_forecast
from monitoring.warning.buckets import floor_minute

BUCKET_COLUMNS = (
    "mentions",
    "negative",
    "positive",
    "angry",
    "fear",
    "sad",
    "surprise",
    "engagement",
    "authors",
    "reposts",
    "influential",
    "verified",
)
DEFAULT_CRISIS_TERMS = [
    "投诉",
    "召回",
    "致歉",
    "道歉",
    "维权",
    "曝光",
    "爆炸",
    "起火",
    "中毒",
    "退款",
    "索赔",
    "欺诈",
    "lawsuit",
    "recall",
    "boycott",
    "scandal",
    "apology",
]


class Source(Protocol):
    def total(self, scope: str, column: str, start: datetime, end: datetime) -> int: ...

    def history(self, scope: str, column: str, end: datetime, window: timedelta, days: int) -> list[int]:
        """Sums of `column` over the same window ending at `end` minus 1, 2, … `days` days."""
        ...

    def keyword_hits(self, scope: str, keywords: list[str], start: datetime, end: datetime) -> int: ...

    def new_terms(
        self, scope: str, start: datetime, end: datetime, baseline_days: int, min_count: int, baseline_max: int
    ) -> list[str]: ...

    def topic_burst(self, scope: str, at: datetime, min_size: int) -> tuple[float, str]:
        """The highest burst score of the scope's hot topics at `at`, and which topic it is."""
        ...


@dataclass(frozen=True)
class Reading:
    key: str
    type: str
    value: float
    score: float
    weight: float
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.type,
            "value": round(self.value, 4),
            "score": round(self.score, 4),
            "weight": round(self.weight, 6),
            "contribution": round(self.score * self.weight, 6),
            "explanation": self.explanation,
            **({"details": self.details} if self.details else {}),
        }


def ramp(value: float, low: float, high: float) -> float:
    """0 at or below `low`, 1 at or above `high`, linear between."""
    if high <= low:
        return 1.0 if value >= high else 0.0
    return min(1.0, max(0.0, (value - low) / (high - low)))


Compute = Callable[[Source, str, datetime, timedelta, dict[str, Any]], tuple[float, float, str, dict[str, Any]]]


def _volume(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    count = src.total(scope, "mentions", now - w, now)
    return count, ramp(count, p["low"], p["high"]), f"{count} mentions in {_minutes(w)}", {}


def _volume_anomaly(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    count = src.total(scope, "mentions", now - w, now)
    if p["method"] == "ewma":
        history = [src.total(scope, "mentions", now - w * (k + 1), now - w * k) for k in range(1, p["span"] + 1)]
        alpha = 2 / (p["span"] + 1)
        mean = float(history[-1]) if history else 0.0
        var = 0.0
        for x in reversed(history[:-1]):
            diff = x - mean
            mean += alpha * diff
            var = (1 - alpha) * (var + alpha * diff * diff)
        basis = f"EWMA of the previous {p['span']} windows"
    else:
        history = src.history(scope, "mentions", now, w, p["days"])
        mean = sum(history) / len(history) if history else 0.0
        var = sum((x - mean) ** 2 for x in history) / len(history) if history else 0.0
        basis = f"the same time on the previous {p['days']} days"
    # A Poisson floor keeps a zero or flat baseline from turning one mention into an infinite z-score.
    spread = max(math.sqrt(var), math.sqrt(mean), 1.0)
    z = (count - mean) / spread
    return (
        z,
        ramp(z, p["z_low"], p["z_high"]),
        f"{count} mentions vs {mean:.1f} expected from {basis} (z={z:.1f})",
        {"expected": round(mean, 2)},
    )


def _negative_ratio(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    total = src.total(scope, "mentions", now - w, now)
    negative = src.total(scope, "negative", now - w, now)
    if total < p["min_count"]:
        return 0.0, 0.0, f"only {total} mentions (< {p['min_count']}) in {_minutes(w)}", {}
    ratio = negative / total
    return ratio, ramp(ratio, p["low"], p["high"]), f"{negative}/{total} negative ({ratio:.0%})", {}


def _negative_growth(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    current = src.total(scope, "negative", now - w, now)
    previous = src.total(scope, "negative", now - 2 * w, now - w)
    if current < p["min_count"]:
        return 0.0, 0.0, f"only {current} negative mentions (< {p['min_count']})", {}
    growth = (current - previous) / max(previous, 1)
    return growth, ramp(growth, p["low"], p["high"]), f"negative {previous} → {current} ({growth:+.0%})", {}


def _keyword_frequency(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    hits = src.keyword_hits(scope, p["keywords"], now - w, now)
    return hits, ramp(hits, p["low"], p["high"]), f"{hits} mentions with crisis terms in {_minutes(w)}", {}


def _spread_velocity(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    reposts = src.total(scope, "reposts", now - w, now)
    per_minute = reposts / max(w.total_seconds() / 60, 1)
    return per_minute, ramp(per_minute, p["low"], p["high"]), f"{per_minute:.1f} reposts/min", {}


def _influential(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    column = "verified" if p["who"] == "verified" else "influential"
    count = src.total(scope, column, now - w, now)
    who = "verified authors" if column == "verified" else "influential authors"
    return count, ramp(count, p["low"], p["high"]), f"{count} mentions by {who}", {}


def _new_terms(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    terms = src.new_terms(scope, now - w, now, p["baseline_days"], p["min_count"], p["baseline_max"])
    return (
        len(terms),
        ramp(len(terms), p["low"], p["high"]),
        f"new terms: {', '.join(terms[:5]) or 'none'}",
        {"terms": terms[:20]},
    )


def _flatline(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    count = src.total(scope, "mentions", now - w, now)
    history = src.history(scope, "mentions", now, w, p["days"])
    expected = sum(history) / len(history) if history else 0.0
    if expected < p["min_expected"]:
        return 0.0, 0.0, f"too little usual volume ({expected:.1f}) to notice silence", {}
    ratio = count / expected
    # The score rises as volume falls: 1 when it vanished below `ratio` of what is usual.
    score = ramp(1 - ratio, 1 - p["ratio"] * 2, 1 - p["ratio"])
    return ratio, score, f"{count} mentions vs {expected:.1f} usual ({ratio:.0%})", {"expected": round(expected, 2)}


def _forecast_size(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Mentions forecast for the next window, from the last `history_bins` bins of `bin_minutes` (damped-trend ETS
    with fixed constants). Bins end on the minute after `now`, so the minute under way counts, as for `volume`."""
    count = src.total(scope, "mentions", now - w, now)
    if count < p["min_count"]:
        # Too few to tell a trend from noise (and not worth a forecast on every tick): the window's count stands in.
        return count, ramp(count, p["low"], p["high"]), f"{count} mentions in {_minutes(w)}, too few to forecast", {}
    step = timedelta(minutes=p["bin_minutes"])
    edge = floor_minute(now) + (timedelta(minutes=1) if now > floor_minute(now) else timedelta())
    bins = [
        src.total(scope, "mentions", edge - step * (k + 1), edge - step * k) for k in reversed(range(p["history_bins"]))
    ]
    path = damped_trend_forecast(bins, w // step, p["level"])
    predicted = sum(mean for mean, _, _ in path) if p["bound"] == "mean" else sum(high for _, _, high in path)
    what = "forecast" if p["bound"] == "mean" else f"upper {p['level']:.0%} bound of the forecast"
    return (
        predicted,
        ramp(predicted, p["low"], p["high"]),
        f"{predicted:.0f} mentions ({what}) in the next {_minutes(w)}, {count} in the last",
        {
            "observed": count,
            "forecast_low": round(sum(low for _, low, _ in path), 1),
            "forecast_high": round(sum(high for _, _, high in path), 1),
        },
    )


def _topic_burst(src: Source, scope: str, now: datetime, w: timedelta, p: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The scope's most bursting hot topic: its mentions this hour against its own EWMA (the window is not used:
    a topic's burst is by the hour)."""
    burst, which = src.topic_burst(scope, now, p["min_size"])
    if not which:
        return 0.0, 0.0, f"no topic of {p['min_size']}+ mentions active in the last hour", {}
    return burst, ramp(burst, p["low"], p["high"]), f"burst {burst:.1f} on {which}", {}


def _minutes(w: timedelta) -> str:
    return f"{int(w.total_seconds() // 60)} min"


@dataclass(frozen=True)
class IndicatorType:
    compute: Compute
    defaults: dict[str, Any]
    description: str


TYPES: dict[str, IndicatorType] = {
    "volume": IndicatorType(_volume, {"low": 10, "high": 200}, "Mentions in the window."),
    "volume_anomaly": IndicatorType(
        _volume_anomaly,
        {"method": "same_hour", "days": 7, "span": 12, "z_low": 1.0, "z_high": 4.0},
        "Mentions against a baseline: z-score vs the same time on previous days, or vs an EWMA of recent windows.",
    ),
    "negative_ratio": IndicatorType(
        _negative_ratio,
        {"min_count": 10, "low": 0.3, "high": 0.8},
        "Share of negative mentions, once there are enough of them.",
    ),
    "negative_growth": IndicatorType(
        _negative_growth,
        {"min_count": 5, "low": 0.5, "high": 3.0},
        "Growth of negative mentions against the previous window.",
    ),
    "keyword_frequency": IndicatorType(
        _keyword_frequency,
        {"keywords": DEFAULT_CRISIS_TERMS, "low": 1, "high": 20},
        "Mentions containing crisis terms (投诉, 召回, 致歉, 维权, lawsuit…).",
    ),
    "spread_velocity": IndicatorType(_spread_velocity, {"low": 1.0, "high": 30.0}, "Reposts per minute."),
    "influential_involvement": IndicatorType(
        _influential,
        {"who": "influential", "low": 0, "high": 3},
        "Mentions by influential (follower threshold) or verified authors.",
    ),
    "new_terms": IndicatorType(
        _new_terms,
        {"baseline_days": 7, "min_count": 5, "baseline_max": 1, "low": 0, "high": 5},
        "Frequent words in the window that were rare before.",
    ),
    "forecast_size": IndicatorType(
        _forecast_size,
        {
            "low": 10,
            "high": 200,
            "bin_minutes": 5,
            "history_bins": 12,
            "min_count": 5,
            "bound": "mean",
            "level": 0.8,
        },
        "Mentions forecast for the next window (damped-trend ETS over the last history_bins bins of bin_minutes), "
        "on the same ramp as volume, so it crosses a volume threshold before the observed count does on a rise.",
    ),
    "topic_burst": IndicatorType(
        _topic_burst,
        {"low": 2.0, "high": 8.0, "min_size": 10},
        "The scope's most bursting hot topic: its mentions this hour against its own history (EWMA z-score), for "
        "topics of at least min_size mentions.",
    ),
    "flatline": IndicatorType(
        _flatline,
        {"days": 7, "min_expected": 20, "ratio": 0.2},
        "Usual volume vanished (a broken feed or a muted channel).",
    ),
}
MAX_WINDOW_MINUTES = 24 * 60


def validate_indicators(raw: Any, errors: ErrorList) -> list[dict[str, Any]]:
    """Check a policy's indicator list and fill in defaults; problems name `indicators[i].field`."""
    if not isinstance(raw, list) or not raw:
        errors.add("indicators", "Give at least one indicator.")
        return []
    if len(raw) > 15:
        errors.add("indicators", "At most 15 indicators per policy.")
        return []
    cleaned: list[dict[str, Any]] = []
    keys: set[str] = set()
    for i, item in enumerate(raw):
        where = f"indicators[{i}]"
        if not isinstance(item, dict):
            errors.add(where, "Expected an object.")
            continue
        kind = item.get("type")
        if kind not in TYPES:
            errors.add(f"{where}.type", f"Unknown indicator type {kind!r}; expected one of {', '.join(TYPES)}.")
            continue
        key = str(item.get("key") or kind)
        if key in keys:
            errors.add(f"{where}.key", f"Duplicate indicator key '{key}'.")
        keys.add(key)
        window = item.get("window_minutes", 15)
        if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= MAX_WINDOW_MINUTES:
            errors.add(f"{where}.window_minutes", f"A whole number of minutes from 1 to {MAX_WINDOW_MINUTES}.")
        weight = item.get("weight", 1.0)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            errors.add(f"{where}.weight", "Weight is a number ≥ 0.")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            errors.add(f"{where}.params", "Expected an object.")
            params = {}
        defaults = TYPES[kind].defaults
        unknown = set(params) - set(defaults)
        if unknown:
            errors.add(
                f"{where}.params", f"Unknown parameter '{sorted(unknown)[0]}' for {kind}; known: {', '.join(defaults)}."
            )
        merged = {**defaults, **params}
        for name, default in defaults.items():
            value = merged[name]
            if (
                isinstance(default, (int, float))
                and not isinstance(default, bool)
                and (not isinstance(value, (int, float)) or isinstance(value, bool))
            ):
                errors.add(f"{where}.params.{name}", f"Expected a number, got {value!r}.")
        if kind == "keyword_frequency" and (
            not isinstance(merged["keywords"], list)
            or not all(isinstance(k, str) and k.strip() for k in merged["keywords"])
            or not merged["keywords"]
        ):
            errors.add(f"{where}.params.keywords", "A non-empty list of words.")
        if kind == "volume_anomaly" and merged["method"] not in ("same_hour", "ewma"):
            errors.add(f"{where}.params.method", "Expected same_hour or ewma.")
        if kind == "forecast_size" and isinstance(window, int):
            _check_forecast(errors, f"{where}.params", window, merged)
        cleaned.append({"key": key, "type": kind, "window_minutes": window, "weight": weight, "params": merged})
    return cleaned


def _check_forecast(errors: ErrorList, where: str, window: int, p: dict[str, Any]) -> None:
    def whole(name: str, low: int, high: int) -> bool:
        value = p[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.add(f"{where}.{name}", f"A whole number from {low} to {high}.")
            return False
        return True

    if whole("bin_minutes", 1, 60) and window % p["bin_minutes"]:
        errors.add(f"{where}.bin_minutes", f"bin_minutes must divide window_minutes ({window}).")
    whole("history_bins", SERIES_MIN_POINTS, SERIES_WINDOW)
    numbers = all(isinstance(p[n], (int, float)) and not isinstance(p[n], bool) for n in ("low", "high", "level"))
    if numbers and p["low"] < 0:
        errors.add(f"{where}.low", "low is a number of mentions ≥ 0.")
    if numbers and p["high"] <= p["low"]:
        errors.add(f"{where}.high", f"high must be above low ({p['low']}).")
    if numbers and not 0 < p["level"] < 1:
        errors.add(f"{where}.level", "The interval level is between 0 and 1, e.g. 0.8.")
    if p["bound"] not in ("mean", "high"):
        errors.add(f"{where}.bound", "Expected mean or high.")


def read(source: Source, scope: str, now: datetime, indicator: dict[str, Any], weight: float) -> Reading:
    kind = TYPES[indicator["type"]]
    window = timedelta(minutes=indicator["window_minutes"])
    value, score, explanation, details = kind.compute(source, scope, now, window, indicator["params"])
    return Reading(indicator["key"], indicator["type"], float(value), float(score), weight, explanation, details)
