"""A scope's trends per interval: volume, unique authors, reach, polarity and the six emotions, the points where
the volume or the negative talk changed level, and the trend state the forecast work names.

Counted from the mentions themselves (the minute buckets keep neither reach nor every emotion), in one grouped
query over the (published_at) index. Change points come from PELT (ruptures) on the Anscombe transform of each
count series, 2·sqrt(x + 3/8), whose noise is about 1 whatever the level, so one penalty fits quiet and busy
scopes alike.
"""

import math
from datetime import datetime, timedelta
from typing import Any

import numpy
import ruptures
from django.db import connection
from django.utils import timezone

from config.errors import ValidationError
from monitoring.analytics.scopes import checked_scope
from monitoring.analytics.volume import MAX_HISTORY_POINTS, ORIGIN, floor_to, parse_interval
from monitoring.cascades.forecast import forecast_series, trend_state
from monitoring.models import Emotion, Sentiment
from tenants.identity.principals import Principal, check_permission

DEFAULT_WINDOW = timedelta(days=7)
EMOTIONS = tuple(Emotion.values)
SENTIMENTS = tuple(Sentiment.values)
# A level change must hold this many intervals, and pay the BIC-like penalty below, to count.
CHANGE_MIN_SIZE = 3
CHANGE_PENALTY_PER_LOG_POINT = 3.0
TREND_HORIZON = 6

_SCOPE_SQL = {
    "tenant": "",
    "brand": "AND m.matched_brands @> ARRAY[%(scope_id)s]::bigint[]",
    "rule": "AND m.matched_rules @> ARRAY[%(scope_id)s]::bigint[]",
    "topic": "AND m.topic_id = %(scope_id)s",
    "case": "AND (m.matched_brands && %(brands)s::bigint[] OR m.id = ANY(%(mentions)s::bigint[]))",
}

_SERIES_SQL = """
WITH scoped AS (
    SELECT date_bin(%(step)s, m.published_at, %(origin)s) AS at, m.author_id, m.sentiment, m.emotion
    FROM monitoring_mention m
    WHERE m.published_at >= %(since)s AND m.published_at < %(until)s {scope}
), reach AS (
    SELECT x.at, sum(a.followers) AS followers
    FROM (SELECT DISTINCT at, author_id FROM scoped WHERE author_id IS NOT NULL) x
    JOIN monitoring_author a ON a.id = x.author_id
    GROUP BY x.at
)
SELECT s.at, count(*), count(DISTINCT s.author_id), coalesce(max(r.followers), 0), {counts}
FROM scoped s LEFT JOIN reach r ON r.at = s.at
GROUP BY s.at
"""
_COUNTS = ", ".join(
    [f"count(*) FILTER (WHERE s.sentiment = '{v}')" for v in SENTIMENTS]
    + [f"count(*) FILTER (WHERE s.emotion = '{v}')" for v in EMOTIONS]
)


def change_points(values: list[int], times: list[datetime]) -> list[dict[str, Any]]:
    """Where a count series changed level, with the mean level before and after each change."""
    n = len(values)
    if n < 2 * CHANGE_MIN_SIZE:
        return []
    signal = 2.0 * numpy.sqrt(numpy.asarray(values, dtype=float) + 0.375)
    ends = (
        ruptures.Pelt(model="l2", min_size=CHANGE_MIN_SIZE, jump=1)
        .fit(signal)
        .predict(pen=CHANGE_PENALTY_PER_LOG_POINT * math.log(n))
    )
    bounds = [0, *ends]
    found = []
    for k in range(1, len(bounds) - 1):
        before = values[bounds[k - 1] : bounds[k]]
        after = values[bounds[k] : bounds[k + 1]]
        found.append(
            {
                "at": times[bounds[k]],
                "before": round(sum(before) / len(before), 2),
                "after": round(sum(after) / len(after), 2),
            }
        )
    return found


def scope_trends(
    *,
    actor: Principal,
    scope: str,
    interval: str = "1h",
    since: datetime | None = None,
    until: datetime | None = None,
    case_brands: list[int] | None = None,
    case_mentions: list[int] | None = None,
) -> dict[str, Any]:
    """Per interval in [since, until): volume, unique authors, reach, sentiment, polarity and emotions, with the
    change points of the volume and of the negative talk, and the trend state."""
    check_permission(actor, "mentions.read")
    kind, scope_id = checked_scope(scope, case_given=case_brands is not None or case_mentions is not None)
    step = parse_interval(interval, "interval")
    # Whole intervals only: the one under way would read as a drop.
    end = floor_to(until or timezone.now(), step)
    begin = floor_to(since or end - DEFAULT_WINDOW, step)
    if begin >= end:
        raise ValidationError("since is not before until (in whole intervals).", field="since")
    points = round((end - begin) / step)
    if points > MAX_HISTORY_POINTS:
        raise ValidationError(
            f"The window holds {points} intervals; at most {MAX_HISTORY_POINTS}: choose a longer interval.",
            field="interval",
        )
    params: dict[str, Any] = {
        "step": step,
        "origin": ORIGIN,
        "since": begin,
        "until": end,
        "scope_id": scope_id,
        "brands": case_brands or [],
        "mentions": case_mentions or [],
    }
    with connection.cursor() as cursor:
        cursor.execute(_SERIES_SQL.format(scope=_SCOPE_SQL[kind], counts=_COUNTS), params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    times = [begin + step * k for k in range(points)]
    series = [_point(at, rows.get(at)) for at in times]
    volume = [p["mentions"] for p in series]
    negative = [p["sentiment"]["negative"] for p in series]
    forecast = [mean for mean, _, _ in forecast_series(volume, TREND_HORIZON)]
    return {
        "scope": scope,
        "interval": interval,
        "since": begin,
        "until": end,
        "series": series,
        "change_points": [
            {"metric": metric, **change}
            for metric, values in (("mentions", volume), ("negative", negative))
            for change in change_points(values, times)
        ],
        "trend": trend_state(volume, forecast),
    }


def _point(at: datetime, row: tuple[Any, ...] | None) -> dict[str, Any]:
    mentions, authors, reach, *counts = row or (0, 0, 0, *([0] * (len(SENTIMENTS) + len(EMOTIONS))))
    sentiment = dict(zip(SENTIMENTS, counts[: len(SENTIMENTS)], strict=True))
    return {
        "at": at,
        "mentions": mentions,
        "unique_authors": authors,
        "reach": int(reach),
        "sentiment": sentiment,
        # (positive − negative) / mentions: -1 all negative, 1 all positive, null with nothing said.
        "polarity": round((sentiment["positive"] - sentiment["negative"]) / mentions, 4) if mentions else None,
        "emotions": dict(zip(EMOTIONS, counts[len(SENTIMENTS) :], strict=True)),
    }
