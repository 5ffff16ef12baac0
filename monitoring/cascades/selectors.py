"""A mention's cascade read from PostgreSQL in one recursive query over the (platform, parent_external_id) index."""

from typing import Any

from django.conf import settings
from django.db import connection

from config.errors import NotFoundError
from config.jsonsafe import INT_MAX
from monitoring.cascades.structure import Cascade, Node, summary
from tenants.identity.principals import Principal, check_permission

# Breadth first from the mention down: a child is a stored mention naming its parent's external id on the same
# platform. CYCLE stops a loop of forged parent ids; the LIMIT bounds what one answer can read.
_TREE_SQL = """
WITH RECURSIVE tree(id, platform, external_id, parent_id, depth) AS (
    SELECT m.id, m.platform, m.external_id, NULL::bigint, 0 FROM monitoring_mention m WHERE m.id = %s
  UNION ALL
    SELECT c.id, c.platform, c.external_id, t.id, t.depth + 1
    FROM tree t
    JOIN monitoring_mention c ON c.platform = t.platform AND c.parent_external_id = t.external_id
) CYCLE id SET is_cycle USING path
SELECT t.id, t.parent_id, t.depth, coalesce(a.external_id, ''), coalesce(a.followers, 0),
       coalesce(a.verified, false), m.published_at, m.platform, m.sentiment
FROM tree t
JOIN monitoring_mention m ON m.id = t.id
LEFT JOIN monitoring_author a ON a.id = m.author_id
WHERE NOT t.is_cycle
ORDER BY t.depth, m.published_at, t.id
LIMIT %s
"""


def cascade_load(mention_id: int) -> tuple[Cascade, bool]:
    """The cascade below a mention, and whether it was cut at VIGIL_CASCADE_MAX_NODES."""
    if not 0 < mention_id <= INT_MAX:
        raise NotFoundError(f"No mention {mention_id}.", field="id")
    limit = settings.CASCADE_MAX_NODES
    with connection.cursor() as cursor:
        cursor.execute(_TREE_SQL, [mention_id, limit + 1])
        rows = cursor.fetchall()
    if not rows:
        raise NotFoundError(f"No mention {mention_id}.", field="id")
    truncated = len(rows) > limit
    nodes = [Node(*row) for row in rows[:limit]]
    return Cascade(nodes), truncated


def mention_cascade(*, actor: Principal, mention_id: int) -> dict[str, Any]:
    """Structure, key nodes and origins of the cascade below a mention."""
    check_permission(actor, "mentions.read")
    cascade, truncated = cascade_load(mention_id)
    return {"mention_id": mention_id, **summary(cascade), "truncated": truncated}
