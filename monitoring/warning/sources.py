"""Where indicators read their data: SQL aggregates for many scopes at once (live), or in-memory series of one
scope (backtests). Both answer the same questions, so an indicator gives the same value either way."""

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from monitoring.topics.selectors import scope_topic_burst
from monitoring.warning.buckets import floor_minute
from monitoring.warning.terms import new_terms as _new_terms

_HISTORY_SQL = """
SELECT b.scope, d.d, sum(b.{column})
FROM generate_series(1, %(days)s) AS d(d)
JOIN monitoring_minutebucket b
  ON b.minute >= date_trunc('minute', %(end)s - make_interval(days => d.d) - %(window)s)
 AND b.minute < %(end)s - make_interval(days => d.d)
WHERE b.scope = ANY(%(scopes)s)
GROUP BY b.scope, d.d
"""


def _like_any(keywords: list[str]) -> list[str]:
    escaped = (k.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") for k in keywords)
    return [f"%{k}%" for k in escaped]


def keyword_hits_by_scope(
    scopes: list[str], keywords: list[str], start: datetime, end: datetime, *, per_minute: bool = False
) -> dict[tuple[str, Any], int]:
    """Mentions whose analysed text holds any keyword, counted per scope (and per minute when asked)."""
    patterns = _like_any(keywords)
    minute = "date_trunc('minute', published_at)" if per_minute else "NULL::timestamptz"
    out: dict[tuple[str, Any], int] = {}
    base = (
        "FROM monitoring_mention {join} WHERE published_at >= %s AND published_at < %s AND analysis_text ILIKE ANY(%s)"
    )
    with connection.cursor() as cursor:
        if "tenant" in scopes:
            cursor.execute(f"SELECT {minute}, count(*) {base.format(join='')} GROUP BY 1", [start, end, patterns])
            out.update({("tenant", m): n for m, n in cursor.fetchall()})
        for kind, column in (("rule", "matched_rules"), ("brand", "matched_brands")):
            ids = [int(s.split(":")[1]) for s in scopes if s.startswith(f"{kind}:")]
            if not ids:
                continue
            cursor.execute(
                f"SELECT x, {minute}, count(*) {base.format(join=f', unnest({column}) AS x')} AND x = ANY(%s) "
                f"GROUP BY 1, 2",
                [start, end, patterns, ids],
            )
            out.update({(f"{kind}:{x}", m): n for x, m, n in cursor.fetchall()})
    return out


class LiveSource:
    """Recent buckets of many scopes loaded in one query; baselines and keyword counts fetched once per kind."""

    def __init__(self, scopes: list[str], now: datetime, lookback: timedelta) -> None:
        self.scopes = scopes
        self.now = now
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        from monitoring.models import MinuteBucket

        for row in MinuteBucket.objects.filter(
            scope__in=scopes, minute__gte=floor_minute(now - lookback), minute__lte=now
        ).values():
            self.rows[row["scope"]].append(dict(row))
        self._history: dict[tuple[str, timedelta, int, datetime], dict[str, dict[int, int]]] = {}
        self._keywords: dict[tuple[tuple[str, ...], datetime, datetime], dict[tuple[str, Any], int]] = {}

    def total(self, scope: str, column: str, start: datetime, end: datetime) -> int:
        lo, hi = floor_minute(start), end
        return sum(row[column] for row in self.rows.get(scope, ()) if lo <= row["minute"] < hi)

    def history(self, scope: str, column: str, end: datetime, window: timedelta, days: int) -> list[int]:
        key = (column, window, days, end)
        if key not in self._history:
            sums: dict[str, dict[int, int]] = defaultdict(dict)
            with connection.cursor() as cursor:
                cursor.execute(
                    _HISTORY_SQL.format(column=column),
                    {"days": days, "end": end, "window": window, "scopes": self.scopes},  # type: ignore[dict-item]
                )
                for row_scope, day, total in cursor.fetchall():
                    sums[row_scope][day] = int(total)
            self._history[key] = sums
        by_day = self._history[key].get(scope, {})
        return [by_day.get(d, 0) for d in range(1, days + 1)]

    def keyword_hits(self, scope: str, keywords: list[str], start: datetime, end: datetime) -> int:
        key = (tuple(keywords), start, end)
        if key not in self._keywords:
            self._keywords[key] = keyword_hits_by_scope(self.scopes, keywords, start, end)
        return self._keywords[key].get((scope, None), 0)

    def new_terms(
        self, scope: str, start: datetime, end: datetime, baseline_days: int, min_count: int, baseline_max: int
    ) -> list[str]:
        if self.total(scope, "mentions", start, end) < min_count:
            return []
        return _new_terms(scope, start, end, baseline_days, min_count, baseline_max)

    def topic_burst(self, scope: str, at: datetime, min_size: int) -> tuple[float, str]:
        return _topic_burst(scope, at, min_size)


def _topic_burst(scope: str, at: datetime, min_size: int) -> tuple[float, str]:
    score, topic = scope_topic_burst(scope, at, min_size)
    if topic is None:
        return 0.0, ""
    return score, f"topic #{topic.pk} ({' '.join(topic.label_terms[:4])}, {topic.size} mentions)"


class SeriesSource:
    """One scope's buckets over a whole period in memory, for backtests that step minute by minute.

    `series` holds per-minute counts by bucket column from `origin` (a whole minute); columns not given count 0.
    `stored` loads them from the minute buckets; a replay of other data (bench/forecast_warning.py) passes its own.
    """

    def __init__(self, scope: str, origin: datetime, size: int, series: dict[str, list[int]]) -> None:
        self.scope = scope
        self.origin = origin
        self.size = size
        self._series: dict[str, list[int]] = defaultdict(lambda: [0] * size, series)
        self._keyword_series: dict[tuple[str, ...], list[int]] = {}
        self._topic_bursts: dict[tuple[datetime, int], tuple[float, str]] = {}

    @classmethod
    def stored(cls, scope: str, start: datetime, end: datetime) -> "SeriesSource":
        from monitoring.models import MinuteBucket

        origin = floor_minute(start)
        size = int((end - origin).total_seconds() // 60) + 2
        series: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        for row in MinuteBucket.objects.filter(scope=scope, minute__gte=origin, minute__lte=end).values():
            at = int((row["minute"] - origin).total_seconds() // 60)
            for column, value in row.items():
                if column not in ("id", "scope", "minute"):
                    series[column][at] = int(value)  # type: ignore[call-overload]
        return cls(scope, origin, size, dict(series))

    def _sum(self, values: list[int], start: datetime, end: datetime) -> int:
        # Same bounds as LiveSource: buckets from the minute of `start` up to, not including, `end`.
        lo = max(0, math.floor((floor_minute(start) - self.origin).total_seconds() / 60))
        hi = min(self.size, math.ceil((end - self.origin).total_seconds() / 60))
        return sum(values[lo:hi]) if hi > lo else 0

    def total(self, scope: str, column: str, start: datetime, end: datetime) -> int:
        return self._sum(self._series[column], start, end)

    def history(self, scope: str, column: str, end: datetime, window: timedelta, days: int) -> list[int]:
        return [
            self.total(scope, column, end - timedelta(days=d) - window, end - timedelta(days=d))
            for d in range(1, days + 1)
        ]

    def keyword_hits(self, scope: str, keywords: list[str], start: datetime, end: datetime) -> int:
        key = tuple(keywords)
        if key not in self._keyword_series:
            values = [0] * self.size
            period_end = self.origin + timedelta(minutes=self.size)
            for (_scope, minute), count in keyword_hits_by_scope(
                [self.scope], keywords, self.origin, period_end, per_minute=True
            ).items():
                values[int((minute - self.origin).total_seconds() // 60)] += count
            self._keyword_series[key] = values
        return self._sum(self._keyword_series[key], start, end)

    def new_terms(
        self, scope: str, start: datetime, end: datetime, baseline_days: int, min_count: int, baseline_max: int
    ) -> list[str]:
        if self.total(scope, "mentions", start, end) < min_count:
            return []
        return _new_terms(scope, start, end, baseline_days, min_count, baseline_max)

    def topic_burst(self, scope: str, at: datetime, min_size: int) -> tuple[float, str]:
        # A burst score changes by the hour (topics keep hourly counts, so the hour under way counts in full): a
        # backtest stepping by the minute reads the topics once an hour.
        key = (floor_minute(at).replace(minute=0), min_size)
        if key not in self._topic_bursts:
            self._topic_bursts[key] = _topic_burst(scope, key[0], min_size)
        return self._topic_bursts[key]
