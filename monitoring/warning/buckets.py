"""Per-minute aggregates per scope, kept up to date by ingestion (one bulk upsert per batch)."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection

COUNTERS = (
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

_UPSERT_SQL = f"""
INSERT INTO monitoring_minutebucket (scope, minute, {", ".join(COUNTERS)})
SELECT * FROM unnest(%s::text[], %s::timestamptz[], {", ".join("%s::bigint[]" for _ in COUNTERS)})
ON CONFLICT (scope, minute) DO UPDATE SET
{", ".join(f"{c} = monitoring_minutebucket.{c} + EXCLUDED.{c}" for c in COUNTERS)}
"""


def floor_minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def scopes_of(rules: list[int], brands: list[int]) -> list[str]:
    return ["tenant", *(f"rule:{r}" for r in rules), *(f"brand:{b}" for b in brands)]


def record(entries: list[dict[str, Any]]) -> set[str]:
    """Add new mentions to their scopes' minute buckets; returns the scopes touched.

    Each entry: published_at, sentiment, emotion, engagement, author (key or None), followers, verified,
    is_repost, rules, brands.
    """
    threshold = settings.WARNING_INFLUENTIAL_FOLLOWERS
    sums: dict[tuple[str, datetime], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    authors: dict[tuple[str, datetime], set[Any]] = defaultdict(set)
    for entry in entries:
        minute = floor_minute(entry["published_at"])
        for scope in scopes_of(entry["rules"], entry["brands"]):
            row = sums[(scope, minute)]
            row["mentions"] += 1
            row["negative"] += entry["sentiment"] == "negative"
            row["positive"] += entry["sentiment"] == "positive"
            if entry["emotion"] in ("angry", "fear", "sad", "surprise"):
                row[entry["emotion"]] += 1
            row["engagement"] += entry["engagement"]
            row["reposts"] += entry["is_repost"]
            row["influential"] += entry["followers"] >= threshold
            row["verified"] += entry["verified"]
            if entry["author"] is not None:
                authors[(scope, minute)].add(entry["author"])
    if not sums:
        return set()
    keys = list(sums)
    for key in keys:
        sums[key]["authors"] = len(authors.get(key, ()))
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_SQL, [[k[0] for k in keys], [k[1] for k in keys], *([sums[k][c] for k in keys] for c in COUNTERS)]
        )
    return {scope for scope, _ in keys}
