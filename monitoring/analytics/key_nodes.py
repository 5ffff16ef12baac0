"""Who carried the spread over a scope (the tenant, a brand, a rule, a case's evidence) and a time window, per author.

The seeds are the scope's mentions published in the window; everything that spread from them (reposts of reposts
on the same platform, and orphans naming a seed as their root while their parent is not stored) is read in one
recursive query and forms a forest of mentions (a mention whose parent is not in it hangs off the root it names,
when that is). Each author is then measured on that forest and on the author graph (an edge from each reposter
to the author they reposted, weighted by count, self-reposts dropped):

- ``direct_reposts``: reposts of their posts by others (a mention without an author counts as another's);
- ``subtree_size``: distinct mentions by others below any of their posts, so a post nested under their own
  other post is not counted twice, nor are their own posts;
- ``pagerank``: rustworkx PageRank on the author graph;
- ``betweenness``: directed betweenness on the author graph (paths run from reposter towards the reposted, so
  it is high for an author through whom an original reached others, and zero for the original itself, where
  paths end), normalised by (n - 1)(n - 2); exact up to EXACT_BETWEENNESS_AUTHORS authors, above that
  Brandes' accumulation from BETWEENNESS_SAMPLES sources drawn with a fixed seed, scaled by n / k (igraph);
- ``core``: k-core number on the undirected author graph (igraph);
- ``followers`` (the most seen) and ``verified`` (on any of their mentions).

The combined score is the SCORE_WEIGHTS-weighted sum of the measures divided by the largest among the authors
(followers on a log scale), so it lies in 0..1; the reason names the two measures contributing most.
"""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

import igraph
import numpy
import rustworkx
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.errors import ValidationError
from config.jsonsafe import INT_MAX
from monitoring.analytics.scopes import checked_scope
from tenants.identity.principals import Principal, check_permission

DEFAULT_WINDOW = timedelta(days=7)
MAX_LIMIT = 200

# Weights of the normalised measures in the combined score; they add up to 1.
SCORE_WEIGHTS = {
    "subtree_size": 0.3,
    "direct_reposts": 0.2,
    "pagerank": 0.2,
    "betweenness": 0.1,
    "core": 0.1,
    "followers": 0.1,
}

# Exact directed betweenness costs O(authors * edges): about 0.05 s at 6,000 authors, 15 s at 60,000.
EXACT_BETWEENNESS_AUTHORS = 5_000
BETWEENNESS_SAMPLES = 512
BETWEENNESS_SEED = 20_160_501


class ScopeNode(NamedTuple):
    """One mention of the scope's forest, as read from the database."""

    mention_id: int
    parent_id: int | None
    platform: str
    author_external_id: str
    followers: int
    verified: bool


# Breadth first from the seeds, as in cascades/selectors.py, but over a set of starts: UNION (not UNION ALL)
# keeps each mention once however many seeds reach it, so a seed that is also a repost of another seed is not
# walked twice, and a loop of forged parent ids ends. The recursion carries what the answer needs; parents are
# matched among the kept mentions in Python (a dict lookup each), which is several times cheaper than sorting
# 100,000 rows by text keys for the joins PostgreSQL picks here. The LIMIT stops the recursion once one more
# node than the bound has been found.
_SPREAD_SQL = """
WITH RECURSIVE seed AS (
    SELECT m.id, m.platform, m.external_id, m.parent_external_id, m.root_external_id, m.author_id
    FROM monitoring_mention m
    WHERE m.published_at >= %(since)s AND m.published_at < %(until)s {scope}
), start AS (
    SELECT * FROM seed
  UNION
    SELECT o.id, o.platform, o.external_id, o.parent_external_id, o.root_external_id, o.author_id
    FROM seed s
    JOIN monitoring_mention o ON o.platform = s.platform AND o.root_external_id = s.external_id
    WHERE o.root_external_id <> '' AND o.id <> s.id AND o.published_at < %(until)s
      AND NOT EXISTS (
        SELECT 1 FROM monitoring_mention p WHERE p.platform = o.platform AND p.external_id = o.parent_external_id
      )
), spread(id, platform, external_id, parent_external_id, root_external_id, author_id) AS (
    SELECT * FROM start
  UNION
    SELECT c.id, c.platform, c.external_id, c.parent_external_id, c.root_external_id, c.author_id
    FROM spread t
    JOIN monitoring_mention c ON c.platform = t.platform AND c.parent_external_id = t.external_id
    WHERE c.published_at < %(until)s
), capped AS MATERIALIZED (
    SELECT * FROM spread LIMIT %(limit)s + 1
), kept AS MATERIALIZED (
    SELECT * FROM capped LIMIT %(limit)s
)
SELECT k.id, k.platform, k.external_id, k.parent_external_id, k.root_external_id, coalesce(a.external_id, ''),
       coalesce(a.followers, 0), coalesce(a.verified, false), (SELECT count(*) FROM capped) > %(limit)s
FROM kept k
LEFT JOIN monitoring_author a ON a.id = k.author_id
"""

_SCOPE_SQL = {
    "tenant": "",
    "brand": "AND m.matched_brands @> ARRAY[%(scope_id)s]::bigint[]",
    "rule": "AND m.matched_rules @> ARRAY[%(scope_id)s]::bigint[]",
    "topic": "AND m.topic_id = %(scope_id)s",
    "case": "AND m.id = ANY(%(mention_ids)s::bigint[])",
}


def scope_spread_load(
    kind: str, scope_id: int | None, since: datetime, until: datetime, mention_ids: Sequence[int] = ()
) -> tuple[list[ScopeNode], bool]:
    """The scope's seeds and what spread from them, and whether it was cut at VIGIL_CASCADE_MAX_NODES."""
    limit = settings.CASCADE_MAX_NODES
    params = {
        "since": since,
        "until": until,
        "limit": limit,
        "scope_id": scope_id,
        "mention_ids": [i for i in mention_ids if 0 < i <= INT_MAX],
    }
    # The planner's estimates for the recursion are large, so PostgreSQL would JIT-compile it, which alone costs
    # about a second at 100,000 nodes and saves nothing on a query this shape; its hashes of 100,000 rows fit in
    # 64 MB rather than spilling to disk.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        cursor.execute(_SPREAD_SQL.format(scope=_SCOPE_SQL[kind]), params)
        rows = cursor.fetchall()
    truncated = bool(rows) and bool(rows[0][8])
    # A mention's parent is its stored parent when that was kept, else the root it names (an orphan, or a repost
    # whose parent fell outside the scope's forest) when that was.
    where = {(row[1], row[2]): row[0] for row in rows}
    nodes = [
        ScopeNode(
            mention_id,
            where.get((platform, parent)) or (where.get((platform, root)) if root else None),
            platform,
            author,
            followers,
            verified,
        )
        for mention_id, platform, _, parent, root, author, followers, verified, _ in rows
    ]
    return nodes, truncated


def scope_key_nodes(
    *,
    actor: Principal,
    scope: str,
    since: datetime | None,
    until: datetime | None,
    mention_ids: list[int] | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """The authors who carried the spread of a scope's mentions in [since, until), best first, with reasons.

    For `case:<id>` the caller passes the case's evidence as `mention_ids` (monitoring knows nothing of cases).
    An archived brand or rule is still read, as archived items are by id.
    """
    check_permission(actor, "mentions.read")
    kind, scope_id = checked_scope(scope, case_given=mention_ids is not None)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"The limit is between 1 and {MAX_LIMIT}.", field="limit")
    until = until or timezone.now()
    since = since or until - DEFAULT_WINDOW
    if since >= until:
        raise ValidationError("The window's start is before its end.", field="since")
    nodes, truncated = scope_spread_load(kind, scope_id, since, until, mention_ids or ())
    return {"scope": scope, "since": since, "until": until, **rank_authors(nodes, limit), "truncated": truncated}


def rank_authors(nodes: Sequence[ScopeNode], limit: int = 20) -> dict[str, Any]:
    """Per-author measures over a forest of mentions, the combined score, and the top `limit` authors.

    One pass in Python walks the forest; the per-author sums are numpy, so 100,000 nodes take well under a second.
    """
    n = len(nodes)
    if n == 0:
        return {"nodes": 0, "authors": 0, "edges": 0, "key_nodes": []}
    nodes = sorted(nodes, key=itemgetter(0))
    ids_, parent_ids, platforms, author_ids, followers_, verified_ = (list(map(itemgetter(k), nodes)) for k in range(6))
    ids = numpy.fromiter(ids_, dtype=numpy.int64, count=n)
    wanted = numpy.fromiter((p or 0 for p in parent_ids), dtype=numpy.int64, count=n)
    at = numpy.minimum(numpy.searchsorted(ids, wanted), n - 1)
    parent = numpy.where((ids[at] == wanted) & (at != numpy.arange(n)), at, -1)

    names = sorted({key for key in zip(platforms, author_ids, strict=True) if key[1]})
    count = len(names)
    position = {key: k for k, key in enumerate(names)}
    author = numpy.fromiter(
        (position.get(key, -1) for key in zip(platforms, author_ids, strict=True)), dtype=numpy.int64, count=n
    )

    order = _preorder(parent)
    subtree = _subtree_sizes(parent, order)
    topmost = _topmost(author, order, subtree, count)

    own = author >= 0
    posts = numpy.bincount(author[own], minlength=count)
    followers = numpy.zeros(count, dtype=numpy.int64)
    numpy.maximum.at(followers, author[own], numpy.fromiter(followers_, dtype=numpy.int64, count=n)[own])
    verified = numpy.bincount(author[own], weights=numpy.fromiter(verified_, dtype=bool, count=n)[own], minlength=count)
    # Their own posts below their topmost ones are inside those subtrees: take them out.
    tops = numpy.bincount(author[topmost], minlength=count)
    below = numpy.bincount(author[topmost], weights=subtree[topmost] - 1, minlength=count).astype(numpy.int64)
    spread = below - (posts - tops)
    # Their post with the largest subtree, the lowest id among equals (nodes are in id order).
    by_author = numpy.lexsort((numpy.arange(n), -subtree, author))[n - int(own.sum()) :]
    first = numpy.r_[True, author[by_author][1:] != author[by_author][:-1]]
    best = numpy.empty(count, dtype=numpy.int64)
    best[author[by_author][first]] = by_author[first]

    child = numpy.flatnonzero(parent >= 0)
    reposted, reposter = author[parent[child]], author[child]
    other = (reposted >= 0) & (reposted != reposter)
    direct = numpy.bincount(reposted[other], minlength=count)
    linked = other & (reposter >= 0)
    pairs, weights = numpy.unique(reposter[linked] * count + reposted[linked], return_counts=True)
    edges = list(zip((pairs // count).tolist(), (pairs % count).tolist(), strict=True))

    measures: dict[str, numpy.ndarray] = {
        "subtree_size": spread,
        "direct_reposts": direct,
        "pagerank": _pagerank(count, edges, weights.tolist()),
        "betweenness": _betweenness(count, edges),
        "core": _cores(count, edges),
        "followers": followers,
    }
    # Each measure over its largest among the authors (followers on a log scale), weighted; names are sorted, so
    # a stable sort on the score breaks ties by author.
    parts = {name: _normalised(name, values.astype(float)) for name, values in measures.items()}
    scores = sum((SCORE_WEIGHTS[name] * parts[name] for name in SCORE_WEIGHTS), numpy.zeros(count))
    reposts = len(child)
    key_nodes = []
    for a in numpy.argsort(-scores, kind="stable")[:limit].tolist():
        m = {name: values[a].item() for name, values in measures.items()} | {"verified": bool(verified[a])}
        key_nodes.append(
            {
                "platform": names[a][0],
                "author_external_id": names[a][1],
                "posts": int(posts[a]),
                "direct_reposts": m["direct_reposts"],
                "subtree_size": m["subtree_size"],
                "pagerank": round(m["pagerank"], 6),
                "betweenness": round(m["betweenness"], 6),
                "core": m["core"],
                "followers": m["followers"],
                "verified": m["verified"],
                "top_mention_id": int(ids[best[a]]),
                "score": round(float(scores[a]), 4),
                "reason": _reason(m, {name: float(parts[name][a]) for name in SCORE_WEIGHTS}, reposts, m["verified"]),
            }
        )
    return {"nodes": n, "authors": count, "edges": len(edges), "key_nodes": key_nodes}


def _preorder(parent: numpy.ndarray) -> list[int]:
    """Depth-first preorder of the forest, so every subtree is a contiguous run.

    A loop of forged parent ids has no root: it is cut at its lowest-id member, which becomes one (`parent` is
    changed in place).
    """
    n = len(parent)
    children: list[list[int]] = [[] for _ in range(n)]
    child = numpy.flatnonzero(parent >= 0)
    for c, p in zip(child.tolist(), parent[child].tolist(), strict=True):
        children[p].append(c)
    order: list[int] = []
    stack = numpy.flatnonzero(parent < 0).tolist()[::-1]
    while stack:
        v = stack.pop()
        order.append(v)
        stack.extend(children[v])
    if len(order) < n:
        seen = numpy.zeros(n, dtype=bool)
        seen[order] = True
        for start in numpy.flatnonzero(~seen).tolist():
            if seen[start]:
                continue
            # Up from an unseen node is a loop (anything hanging off a root was seen): find it, cut it.
            path, v = set(), start
            while v not in path:
                path.add(v)
                v = int(parent[v])
            loop, u = [v], int(parent[v])
            while u != v:
                loop.append(u)
                u = int(parent[u])
            root = min(loop)
            children[int(parent[root])].remove(root)
            parent[root] = -1
            stack = [root]
            while stack:
                v = stack.pop()
                seen[v] = True
                order.append(v)
                stack.extend(children[v])
    return order


def _subtree_sizes(parent: numpy.ndarray, order: list[int]) -> numpy.ndarray:
    up = parent.tolist()
    size = [1] * len(up)
    for v in reversed(order):
        p = up[v]
        if p >= 0:
            size[p] += size[v]
    return numpy.asarray(size, dtype=numpy.int64)


def _topmost(author: numpy.ndarray, order: list[int], subtree: numpy.ndarray, count: int) -> numpy.ndarray:
    """Posts with no ancestor by the same author.

    In preorder a subtree is the run [enter, enter + size); sorted by (author, enter), a post is nested under the
    same author's earlier post exactly when it enters before the furthest exit seen so far for that author, which
    one running maximum finds when each author's exits are offset past every earlier author's.
    """
    n = len(author)
    enter = numpy.empty(n, dtype=numpy.int64)
    enter[order] = numpy.arange(n)
    leave = enter + subtree
    posts = numpy.flatnonzero(author >= 0)
    posts = posts[numpy.lexsort((enter[posts], author[posts]))]
    offset = author[posts] * (n + 1)
    furthest = numpy.maximum.accumulate(offset + leave[posts])
    nested = numpy.r_[False, offset[1:] + enter[posts][1:] < furthest[:-1]]
    topmost = numpy.zeros(n, dtype=bool)
    topmost[posts[~nested]] = True
    return topmost


def _pagerank(count: int, edges: list[tuple[int, int]], weights: list[int]) -> numpy.ndarray:
    if count == 0:
        return numpy.zeros(0)
    graph = rustworkx.PyDiGraph()
    graph.add_nodes_from(range(count))
    graph.add_edges_from([(s, t, float(w)) for (s, t), w in zip(edges, weights, strict=True)])
    ranks = rustworkx.pagerank(graph, weight_fn=float)
    return numpy.fromiter((ranks[k] for k in range(count)), dtype=float, count=count)


def _betweenness(count: int, edges: list[tuple[int, int]]) -> numpy.ndarray:
    """Directed betweenness normalised to 0..1: exact on small author graphs, sampled (seeded) on large ones."""
    if count < 3 or not edges:
        return numpy.zeros(count)
    graph = igraph.Graph(n=count, edges=edges, directed=True)
    if count <= EXACT_BETWEENNESS_AUTHORS:
        raw, scale = graph.betweenness(directed=True), 1.0
    else:
        sources = random.Random(BETWEENNESS_SEED).sample(range(count), BETWEENNESS_SAMPLES)
        raw, scale = graph.betweenness(directed=True, sources=sources), count / BETWEENNESS_SAMPLES
    pairs = (count - 1) * (count - 2)
    return numpy.minimum(1.0, numpy.asarray(raw, dtype=float) * scale / pairs)


def _cores(count: int, edges: list[tuple[int, int]]) -> numpy.ndarray:
    """k-core numbers on the undirected author graph (igraph's is some five times faster than rustworkx's here)."""
    graph = igraph.Graph(n=count, edges=edges, directed=False)
    graph.simplify()
    return numpy.asarray(graph.coreness(), dtype=numpy.int64)


def _normalised(name: str, values: numpy.ndarray) -> numpy.ndarray:
    if name == "followers":
        values = numpy.log1p(numpy.maximum(values, 0))
    top = values.max(initial=0.0)
    return values / top if top > 0 else numpy.zeros_like(values)


def _reason(m: dict[str, Any], parts: dict[str, float], reposts: int, verified: bool) -> str:
    strongest = sorted(parts, key=lambda name: -SCORE_WEIGHTS[name] * parts[name])[:2]
    share = 100 * m["subtree_size"] / max(1, reposts)
    phrases = {
        "subtree_size": f"{m['subtree_size']} of the scope's {reposts} reposts ({share:.0f}%) went through their posts",
        "direct_reposts": f"{m['direct_reposts']} direct reposts of their posts",
        "pagerank": f"author PageRank {m['pagerank']:.4f}",
        "betweenness": f"a bridge between authors (betweenness {m['betweenness']:.4f})",
        "core": f"in the {m['core']}-core of the author graph",
        "followers": f"{m['followers']} followers" + (", verified" if verified else ""),
    }
    return "; ".join(phrases[name] for name in strongest if parts[name] > 0) or "posted in the scope, not reposted"
