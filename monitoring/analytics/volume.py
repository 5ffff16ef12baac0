"""A scope's volume over time and where it is heading: the series of mentions per interval, the next hours
forecast with intervals, and the trend state (`rising`, `peaking`, `declining`, `calm`).

Tenant, brand and rule scopes read the warning engine's per-minute buckets, kept at ingest for exactly these
scopes, so a week of history is one indexed range read. A case's scope is its brands' mentions and its evidence,
counted from the mentions themselves (a mention matching two of the case's brands counts once).
"""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from config.errors import ValidationError
from monitoring.analytics.scopes import checked_scope
from monitoring.cascades.forecast import forecast_series, trend_state
from tenants.identity.principals import Principal, check_permission

INTERVAL_UNITS = {"m": 60, "h": 3600, "d": 86400}
DEFAULT_HISTORY = timedelta(days=7)
MAX_HISTORY_POINTS = 1000
MAX_HORIZON_POINTS = 200
FORECAST_LEVEL = 0.8
# Intervals are aligned to this instant, so the same interval always cuts the day at the same places.
ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)

_BUCKETS_SQL = """
SELECT date_bin(%(step)s, b.minute, %(origin)s) AS at, sum(b.mentions)
FROM monitoring_minutebucket b
WHERE b.scope = %(scope)s AND b.minute >= %(since)s AND b.minute < %(until)s
GROUP BY 1
"""

_CASE_SQL = """
SELECT date_bin(%(step)s, m.published_at, %(origin)s) AS at, count(*)
FROM monitoring_mention m
WHERE m.published_at >= %(since)s AND m.published_at < %(until)s
  AND (m.matched_brands && %(brands)s::bigint[] OR m.id = ANY(%(mentions)s::bigint[]))
GROUP BY 1
"""


def parse_interval(raw: str, field: str) -> timedelta:
    """`15m`, `1h`, `2d`: a whole number of minutes, hours or days."""
    unit = raw[-1:] if raw else ""
    if unit not in INTERVAL_UNITS or not raw[:-1].isdigit() or not 0 < int(raw[:-1]) <= 10_000:
        raise ValidationError(
            f"'{raw[:50]}' is not an interval; expected a number and m, h or d, e.g. 1h.", field=field
        )
    return timedelta(seconds=int(raw[:-1]) * INTERVAL_UNITS[unit])


def floor_to(at: datetime, step: timedelta) -> datetime:
    """The start of the interval of `step` that holds `at`."""
    return ORIGIN + step * math.floor((at - ORIGIN) / step)


def scope_volume_forecast(
    *,
    actor: Principal,
    scope: str,
    interval: str = "1h",
    horizon: str = "24h",
    since: datetime | None = None,
    until: datetime | None = None,
    case_brands: list[int] | None = None,
    case_mentions: list[int] | None = None,
) -> dict[str, Any]:
    """Mentions per interval from `since` to `until` (complete intervals only), and the next `horizon` forecast.

    For `case:<id>` the caller passes the case's brands and evidence (monitoring knows nothing of cases).
    """
    check_permission(actor, "mentions.read")
    kind, scope_id = checked_scope(scope, case_given=case_brands is not None or case_mentions is not None)
    step = parse_interval(interval, "interval")
    ahead = parse_interval(horizon, "horizon")
    steps_ahead = math.ceil(ahead / step)
    if steps_ahead > MAX_HORIZON_POINTS:
        raise ValidationError(
            f"The horizon holds {steps_ahead} intervals; at most {MAX_HORIZON_POINTS}: choose a longer interval.",
            field="horizon",
        )
    # The interval now under way is not over: counting it would read as a drop.
    end = floor_to(until or timezone.now(), step)
    start = floor_to(since or max(end - DEFAULT_HISTORY, end - step * MAX_HISTORY_POINTS), step)
    if start >= end:
        raise ValidationError("since is not before until (in whole intervals).", field="since")
    points = round((end - start) / step)
    if points > MAX_HISTORY_POINTS:
        raise ValidationError(
            f"The history holds {points} intervals; at most {MAX_HISTORY_POINTS}: choose a later since or a longer "
            "interval.",
            field="since",
        )
    params: dict[str, Any] = {"step": step, "origin": ORIGIN, "since": start, "until": end}
    if kind == "topic":
        raise ValidationError(
            "The forecast reads the minute buckets kept for the tenant, brands, rules and cases; a topic's series "
            "and trend state are in /analytics/trends.",
            field="scope",
        )
    if kind == "case":
        sql = _CASE_SQL
        params |= {"brands": case_brands or [], "mentions": case_mentions or []}
    else:
        sql = _BUCKETS_SQL
        params["scope"] = "tenant" if kind == "tenant" else f"{kind}:{scope_id}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = {at: int(n) for at, n in cursor.fetchall()}
    times = [start + step * k for k in range(points)]
    history = [counts.get(at, 0) for at in times]
    predicted = forecast_series(history, steps_ahead, level=FORECAST_LEVEL)
    return {
        "scope": scope,
        "interval": interval,
        "horizon": horizon,
        "since": start,
        "until": end,
        "history": [{"at": at, "mentions": n} for at, n in zip(times, history, strict=True)],
        "forecast": [
            {"at": end + step * k, "mean": round(mean, 2), "low": round(low, 2), "high": round(high, 2)}
            for k, (mean, low, high) in enumerate(predicted)
        ],
        "interval_level": FORECAST_LEVEL,
        "trend": trend_state(history, [mean for mean, _, _ in predicted]),
    }
