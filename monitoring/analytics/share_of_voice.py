"""Share of voice over a tenant's brands, its own and its competitors': how much each is talked about in a window,
how people feel about it, how far it reaches, and the alerts each one's talk raised.

A mention counts for every brand it matched when it was ingested (`matched_brands`), so an archived brand keeps the
mentions it matched while active and gains none after. A mention matching two brands counts for both, and shares
are of the brands' summed mentions, so they add up to 1.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from config.errors import NotFoundError, ValidationError
from config.jsonsafe import INT_MAX
from monitoring.analytics.volume import ORIGIN, parse_interval
from monitoring.models import Alert, Brand, Emotion, Sentiment
from tenants.identity.principals import Principal, check_permission

DEFAULT_WINDOW = timedelta(days=7)
MAX_POINTS = 1000
MAX_BRANDS = 50
EMOTIONS = tuple(Emotion.values)
SENTIMENTS = tuple(Sentiment.values)

_BRANDED = """
FROM monitoring_mention m CROSS JOIN LATERAL unnest(m.matched_brands) AS b(brand)
WHERE m.published_at >= %(since)s AND m.published_at < %(until)s AND m.matched_brands <> '{}'
  AND b.brand = ANY(%(brands)s::bigint[])
"""

_TOTALS_SQL = (
    "SELECT b.brand, count(*), count(DISTINCT m.author_id), "
    + ", ".join(f"count(*) FILTER (WHERE m.sentiment = '{s}')" for s in SENTIMENTS)
    + ", "
    + ", ".join(f"count(*) FILTER (WHERE m.emotion = '{e}')" for e in EMOTIONS)
    + _BRANDED
    + " GROUP BY b.brand"
)

# Reach counts each author once per brand, at their follower count now.
_REACH_SQL = f"""
SELECT x.brand, coalesce(sum(a.followers), 0)
FROM (SELECT DISTINCT b.brand, m.author_id {_BRANDED}) x
JOIN monitoring_author a ON a.id = x.author_id
GROUP BY x.brand
"""

_SERIES_SQL = f"SELECT b.brand, date_bin(%(step)s, m.published_at, %(origin)s), count(*) {_BRANDED} GROUP BY 1, 2"


def _brands(requested: list[int] | None) -> list[Brand]:
    if requested is None:
        return list(Brand.objects.order_by("id"))
    if len(requested) > MAX_BRANDS:
        raise ValidationError(f"At most {MAX_BRANDS} brands.", field="brands")
    bad = [b for b in requested if not 0 < b <= INT_MAX]
    if bad:
        raise ValidationError(f"{bad[0]} is not a brand id.", field="brands")
    found = {b.pk: b for b in Brand.objects.filter(pk__in=requested)}
    missing = [b for b in requested if b not in found]
    if missing:
        raise NotFoundError(f"No brand {missing[0]}.", field="brands")
    return [found[b] for b in dict.fromkeys(requested)]


def share_of_voice(
    *,
    actor: Principal,
    since: datetime | None = None,
    until: datetime | None = None,
    interval: str = "1d",
    brands: list[int] | None = None,
) -> dict[str, Any]:
    """Each brand's mentions, share, sentiment, emotions, reach, series and alerts in [since, until)."""
    check_permission(actor, "mentions.read")
    step = parse_interval(interval, "interval")
    until = until or timezone.now()
    since = since or until - DEFAULT_WINDOW
    if since >= until:
        raise ValidationError("since is not before until.", field="since")
    start = ORIGIN + step * math.floor((since - ORIGIN) / step)
    points = math.ceil((until - start) / step)
    if points > MAX_POINTS:
        raise ValidationError(
            f"The window holds {points} intervals; at most {MAX_POINTS}: choose a longer interval.", field="interval"
        )
    listed = _brands(brands)
    params: dict[str, Any] = {
        "since": since,
        "until": until,
        "brands": [b.pk for b in listed],
        "step": step,
        "origin": ORIGIN,
    }
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, params)
        totals = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(_REACH_SQL, params)
        reach = dict(cursor.fetchall())
        cursor.execute(_SERIES_SQL, params)
        series: dict[int, dict[datetime, int]] = {}
        for brand, at, n in cursor.fetchall():
            series.setdefault(brand, {})[at] = n
    times = [start + step * k for k in range(points)]
    alerts = _alerts(listed, since, until)
    everything = sum(row[0] for row in totals.values())
    out = []
    for brand in listed:
        row = totals.get(brand.pk)
        if row is None and brand.archived_at is not None and brands is None:
            continue
        mentions, authors, *counts = row or (0, 0, *([0] * (len(SENTIMENTS) + len(EMOTIONS))))
        sentiment = dict(zip(SENTIMENTS, counts[: len(SENTIMENTS)], strict=True))
        emotions = dict(zip(EMOTIONS, counts[len(SENTIMENTS) :], strict=True))
        out.append(
            {
                "brand_id": brand.pk,
                "name": brand.name,
                "kind": brand.kind,
                "archived": brand.archived_at is not None,
                "mentions": mentions,
                "share": round(mentions / everything, 4) if everything else 0.0,
                **sentiment,
                "net_sentiment": round((sentiment["positive"] - sentiment["negative"]) / mentions, 4)
                if mentions
                else 0.0,
                "emotions": emotions,
                "unique_authors": authors,
                "reach": int(reach.get(brand.pk, 0)),
                "series": [{"at": at, "mentions": series.get(brand.pk, {}).get(at, 0)} for at in times],
                "alerts": alerts.get(brand.pk, []),
            }
        )
    out.sort(key=lambda b: (-b["mentions"], b["brand_id"]))
    return {"since": since, "until": until, "interval": interval, "total_mentions": everything, "brands": out}


def _alerts(brands: list[Brand], since: datetime, until: datetime) -> dict[int, list[dict[str, Any]]]:
    """Alerts on each brand's scope that were live at some time in the window."""
    scopes = {f"brand:{b.pk}": b.pk for b in brands}
    found: dict[int, list[dict[str, Any]]] = {}
    live = Q(resolved_at__isnull=True) | Q(resolved_at__gte=since)
    for alert in Alert.objects.filter(live, scope__in=scopes, opened_at__lt=until).order_by("opened_at", "id"):
        found.setdefault(scopes[alert.scope], []).append(
            {
                "id": alert.pk,
                "level": alert.level,
                "peak_level": alert.peak_level,
                "status": alert.status,
                "opened_at": alert.opened_at,
                "resolved_at": alert.resolved_at,
            }
        )
    return found
