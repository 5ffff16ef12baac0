"""A mention's cascade read from PostgreSQL in one recursive query over the (platform, parent_external_id) and
(platform, root_external_id) indexes."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from config.errors import NotFoundError, ValidationError
from config.jsonsafe import INT_MAX
from monitoring.cascades.exports import EXPORT_FORMATS, GRAPHS, export_cascade
from monitoring.cascades.forecast import Forecast, LogLinearModel, fit_loglinear, forecast_cascade
from monitoring.cascades.structure import Cascade, summary
from tenants.context import current_schema
from tenants.identity.principals import Principal, check_permission

# Breadth first from the mention down: a child is a stored mention naming its parent's external id on the same
# platform. Orphans are mentions that name this mention as their cascade's root but whose parent is not stored
# (yet, or ever): they hang off the root at depth 1, flagged, and re-attach by themselves once their parent
# arrives, since the tree is read, not kept. The recursion carries what the answer needs so the final select
# joins only the authors. A mention names one parent and (platform, external_id) is unique, so the only loop a walk
# down from the mention can enter is one back through the mention itself (forged parent ids): the recursion refuses
# to step onto it, which costs less than CYCLE's path tracking. Times leave as epoch seconds, which the driver reads
# several times faster than timestamps. The LIMIT bounds what one answer can read.
_TREE_SQL = """
WITH RECURSIVE root AS (
    SELECT m.id, m.platform, m.external_id, m.author_id, m.published_at, m.sentiment
    FROM monitoring_mention m WHERE m.id = %s
), seed AS (
    SELECT r.id, r.platform, r.external_id, NULL::bigint AS parent_id, 0 AS depth, false AS orphan,
           r.author_id, r.published_at, r.sentiment
    FROM root r
  UNION ALL
    SELECT o.id, o.platform, o.external_id, r.id, 1, true, o.author_id, o.published_at, o.sentiment
    FROM root r
    JOIN monitoring_mention o ON o.platform = r.platform AND o.root_external_id = r.external_id
    WHERE o.root_external_id <> '' AND o.id <> r.id AND o.parent_external_id <> r.external_id
      AND NOT EXISTS (
        SELECT 1 FROM monitoring_mention p WHERE p.platform = o.platform AND p.external_id = o.parent_external_id
      )
), tree(id, platform, external_id, parent_id, depth, orphan, author_id, published_at, sentiment) AS (
    SELECT * FROM seed
  UNION ALL
    SELECT c.id, c.platform, c.external_id, t.id, t.depth + 1, false, c.author_id, c.published_at, c.sentiment
    FROM tree t
    JOIN monitoring_mention c ON c.platform = t.platform AND c.parent_external_id = t.external_id
    WHERE c.id <> (SELECT id FROM root)
)
SELECT t.id, t.parent_id, t.depth, coalesce(a.external_id, ''), coalesce(a.followers, 0),
       coalesce(a.verified, false), extract(epoch FROM t.published_at)::float8, t.platform, t.sentiment, t.orphan
FROM tree t
LEFT JOIN monitoring_author a ON a.id = t.author_id
ORDER BY t.depth, t.published_at, t.id
LIMIT %s
"""


@contextmanager
def _without_gc() -> Iterator[None]:
    # A 100k-node cascade arrives as 100k row tuples that are all kept alive; each allocation
    # burst triggers a generational collection that walks every one of them again, which cost
    # more than the query itself (0.6 s of a 2 s budget). Nothing here builds reference cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cascade_load(mention_id: int) -> tuple[Cascade, bool]:
    """The cascade below a mention, and whether it was cut at VIGIL_CASCADE_MAX_NODES."""
    if not 0 < mention_id <= INT_MAX:
        raise NotFoundError(f"No mention {mention_id}.", field="id")
    limit = settings.CASCADE_MAX_NODES
    with _without_gc():
        with connection.cursor() as cursor:
            cursor.execute(_TREE_SQL, [mention_id, limit + 1])
            rows = cursor.fetchall()
        if not rows:
            raise NotFoundError(f"No mention {mention_id}.", field="id")
        truncated = len(rows) > limit
        return Cascade(rows[:limit]), truncated


def mention_cascade(*, actor: Principal, mention_id: int) -> dict[str, Any]:
    """Structure, key nodes and origins of the cascade below a mention."""
    check_permission(actor, "mentions.read")
    cascade, truncated = cascade_load(mention_id)
    return {
        "mention_id": mention_id,
        **summary(cascade),
        "orphans": cascade.orphans,
        "truncated": truncated,
    }


def mention_cascade_nodes(*, actor: Principal, mention_id: int) -> list[dict[str, Any]]:
    """Every node of the cascade below a mention, breadth first, with how much of the spread went through it."""
    check_permission(actor, "mentions.read")
    cascade, _ = cascade_load(mention_id)
    direct = cascade.direct
    return [
        {
            "mention_id": node.mention_id,
            "parent_id": node.parent_id,
            "depth": node.depth,
            "author_external_id": node.author_external_id,
            "followers": node.followers,
            "verified": node.verified,
            "published_at": node.published_at,
            "platform": node.platform,
            "sentiment": node.sentiment or None,
            "orphan": node.orphan,
            "direct_reposts": int(direct[i]),
            "subtree_size": cascade.subtree[i] - 1,
        }
        for i, node in enumerate(cascade.nodes)
    ]


def mention_cascade_export(
    *, actor: Principal, mention_id: int, fmt: str, graph: str = "cascade"
) -> tuple[bytes, str, str]:
    """The cascade (or its author graph) as a file: content, media type, and a file name."""
    check_permission(actor, "mentions.read")
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            f"'{fmt[:100]}' is not an export format; expected one of {', '.join(EXPORT_FORMATS)}.", field="export"
        )
    if graph not in GRAPHS:
        raise ValidationError(f"'{graph[:100]}' is not a graph; expected one of {', '.join(GRAPHS)}.", field="graph")
    if graph != "cascade" and fmt in ("svg", "png"):
        raise ValidationError(
            f"A {fmt} picture shows the cascade tree; export the author graph as gexf, graphml or json.",
            field="graph",
        )
    cascade, _ = cascade_load(mention_id)
    content, media_type, extension = export_cascade(cascade, fmt, graph)
    return content, media_type, f"mention-{mention_id}-{graph}{extension}"


# Size at T and final size of the tenant's finished cascades: those whose mentions name their root
# (`root_external_id`), the root published long enough ago to have stopped growing. Counts include the root.
_HISTORY_SQL = """
SELECT 1 + count(*) FILTER (WHERE m.published_at <= r.published_at + %s * interval '1 second'), 1 + count(*)
FROM monitoring_mention r
JOIN monitoring_mention m ON m.platform = r.platform AND m.root_external_id = r.external_id AND m.id <> r.id
WHERE r.published_at < now() - %s * interval '1 hour'
GROUP BY r.id, r.published_at
ORDER BY r.published_at DESC
LIMIT %s
"""

# Forecast ages share a model when they round to the same step: a minute within the first hour, ten after.
_AGE_STEPS = ((3600, 60), (7 * 86400, 600))


def _history_age(seconds: float) -> int:
    for upto, step in _AGE_STEPS:
        if seconds <= upto:
            return max(step, round(seconds / step) * step)
    return _AGE_STEPS[-1][0]


def loglinear_history(observed_after_seconds: float) -> LogLinearModel | None:
    """The log-linear model of the current tenant's finished cascades at this age, cached a while per tenant."""
    age = _history_age(observed_after_seconds)
    key = f"cascade-loglinear:{current_schema()}:{age}"
    cached = cache.get(key)
    if cached is not None:
        return LogLinearModel(**cached) if cached else None
    with connection.cursor() as cursor:
        cursor.execute(
            _HISTORY_SQL, [age, settings.FORECAST_HISTORY_MIN_AGE_HOURS, settings.FORECAST_HISTORY_MAX_CASCADES]
        )
        pairs = [(int(at), int(final)) for at, final in cursor.fetchall()]
    model = fit_loglinear(pairs, age)
    cache.set(key, asdict(model) if model else {}, settings.FORECAST_MODEL_CACHE_SECONDS)
    return model


def mention_cascade_forecast(
    *, actor: Principal, mention_id: int, observed_until: datetime | None = None
) -> dict[str, Any]:
    """The predicted final size of the cascade below a mention from what was published up to `observed_until`."""
    check_permission(actor, "mentions.read")
    cascade, _ = cascade_load(mention_id)
    until = observed_until or timezone.now()
    if until.timestamp() < float(cascade.times[0]):
        raise ValidationError(
            f"observed_until is before the mention was published ({cascade.node(0).published_at.isoformat()}).",
            field="observed_until",
        )
    forecast, model = cascade_forecast_at(cascade, until)
    return {
        "mention_id": mention_id,
        "observed_until": until,
        **asdict(forecast),
        "history_cascades": model.samples if model else 0,
        "current_size": cascade.size,
    }


def cascade_forecast_at(cascade: Cascade, until: datetime) -> tuple[Forecast, LogLinearModel | None]:
    """The final size a cascade was forecast to reach from what had been published by `until` (not before its
    root), and the tenant's history model the forecast used, if any."""
    start = float(cascade.times[0])
    cutoff = until.timestamp()
    seen = sorted(
        (t - start, f) for t, f in zip(cascade.times.tolist(), cascade.followers.tolist(), strict=True) if t <= cutoff
    )
    age = cutoff - start
    model = loglinear_history(age) if age > 0 else None
    return forecast_cascade([t for t, _ in seen], [f for _, f in seen], age, model), model
