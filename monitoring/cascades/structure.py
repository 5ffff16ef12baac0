"""The shape of one cascade (a tree of mentions) and who carried it, in closed forms over subtree sizes.

Every measure here is exact on a tree and linear in its size: structural virality (Goel et al. 2016, the mean
distance over all pairs) is the Wiener index from subtree sizes, W = sum over edges of s(v) * (n - s(v)), divided
by the number of pairs; a node's betweenness counts the pairs whose path runs through it, from the sizes of the
parts its removal leaves. Only PageRank, on the graph of authors, needs a graph library.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import rustworkx

KEY_NODES = 20
# A branch below the root is "large" when it holds at least this share of the cascade (and at least two nodes).
LARGE_BRANCH_SHARE = 0.05
GROWTH_POINTS = 48

# The combined key-node score: weights of the normalised measures (documented in the README).
SCORE_WEIGHTS = {
    "subtree_size": 0.35,
    "direct_reposts": 0.25,
    "pagerank": 0.2,
    "betweenness": 0.1,
    "followers": 0.1,
}


class Node(NamedTuple):
    """One mention of a cascade; a tuple, since a 100k-node cascade builds 100k of them from database rows."""

    mention_id: int
    parent_id: int | None
    depth: int
    author_external_id: str
    followers: int
    verified: bool
    published_at: datetime
    platform: str
    sentiment: str
    # Its parent is not stored: it hangs off the root it names.
    orphan: bool = False


@dataclass
class Cascade:
    """Nodes in breadth-first order: the root first, every parent before its children."""

    nodes: list[Node]
    subtree: list[int] = field(default_factory=list)
    children: list[list[int]] = field(default_factory=list)
    author_ranks: dict[str, float] | None = None

    def __post_init__(self) -> None:
        index = {node.mention_id: i for i, node in enumerate(self.nodes)}
        self.children = [[] for _ in self.nodes]
        self.parent_index: list[int] = [-1] * len(self.nodes)
        for i, node in enumerate(self.nodes):
            if node.parent_id is not None and node.parent_id in index:
                parent = index[node.parent_id]
                self.children[parent].append(i)
                self.parent_index[i] = parent
        self.subtree = [1] * len(self.nodes)
        for i in range(len(self.nodes) - 1, 0, -1):
            parent = self.parent_index[i]
            if parent >= 0:
                self.subtree[parent] += self.subtree[i]

    @property
    def size(self) -> int:
        return len(self.nodes)


def breadth_by_depth(cascade: Cascade) -> list[int]:
    counts = Counter(node.depth for node in cascade.nodes)
    return [counts[d] for d in range(max(counts) + 1)] if counts else []


def structural_virality(cascade: Cascade) -> float:
    n = cascade.size
    if n < 2:
        return 0.0
    wiener = sum(s * (n - s) for i, s in enumerate(cascade.subtree) if cascade.parent_index[i] >= 0)
    return 2.0 * wiener / (n * (n - 1))


def betweenness(cascade: Cascade, i: int) -> int:
    """Unordered pairs of other nodes whose path passes through node i."""
    n = cascade.size
    parts = [cascade.subtree[c] for c in cascade.children[i]]
    parts.append(n - cascade.subtree[i])
    total = n - 1
    return (total * total - sum(p * p for p in parts)) // 2


def reach(cascade: Cascade) -> int:
    followers: dict[str, int] = {}
    for node in cascade.nodes:
        key = node.author_external_id or f"mention:{node.mention_id}"
        followers[key] = max(followers.get(key, 0), node.followers)
    return sum(followers.values())


def growth(cascade: Cascade) -> tuple[list[dict[str, object]], dict[str, float | None]]:
    """Cumulative size at up to GROWTH_POINTS evenly spaced times, and seconds from the first post to 10/50/90%."""
    times = sorted(node.published_at for node in cascade.nodes)
    if not times:
        return [], {"p10": None, "p50": None, "p90": None}
    start, end = times[0], times[-1]
    span = (end - start).total_seconds()
    points: list[dict[str, object]] = []
    steps = 1 if span == 0 else GROWTH_POINTS
    cursor = 0
    for k in range(1, steps + 1):
        at = start + (end - start) * (k / steps)
        while cursor < len(times) and times[cursor] <= at:
            cursor += 1
        points.append({"at": at, "size": cursor})
    n = len(times)
    shares: dict[str, float | None] = {
        f"p{p}": (times[max(0, math.ceil(n * p / 100) - 1)] - start).total_seconds() for p in (10, 50, 90)
    }
    return points, shares


def author_pagerank(cascade: Cascade) -> dict[str, float]:
    """PageRank on the author graph: an edge from each reposter to the author they reposted, weighted by count.

    Each repost is its own edge: rustworkx sums parallel edges, which is the weighting by count without building
    the weights (or calling back into Python per edge). Computed once per cascade.
    """
    if cascade.author_ranks is not None:
        return cascade.author_ranks
    position: dict[str, int] = {}
    ids = [
        position.setdefault(node.author_external_id, len(position)) if node.author_external_id else -1
        for node in cascade.nodes
    ]
    edges = []
    for i, parent in enumerate(cascade.parent_index):
        if parent >= 0:
            source, target = ids[i], ids[parent]
            if source >= 0 and target >= 0 and source != target:
                edges.append((source, target))
    cascade.author_ranks = pagerank(list(position), edges)
    return cascade.author_ranks


def pagerank(names: list[str], edges: list[tuple[int, int]]) -> dict[str, float]:
    if not names:
        return {}
    graph = rustworkx.PyDiGraph()
    graph.add_nodes_from(range(len(names)))
    graph.add_edges_from_no_data(edges)
    ranks = rustworkx.pagerank(graph)
    return {names[k]: float(ranks[k]) for k in ranks}


def key_nodes(cascade: Cascade, limit: int = KEY_NODES) -> list[dict[str, Any]]:
    """The nodes that carried the spread, best first, each with its measures, score and the reason for its rank."""
    n = cascade.size
    if n == 0:
        return []
    ranks = author_pagerank(cascade)
    candidates = [i for i in range(n) if cascade.children[i] or i == 0]
    measures: list[dict[str, float]] = []
    for i in candidates:
        node = cascade.nodes[i]
        measures.append(
            {
                "index": i,
                "direct_reposts": len(cascade.children[i]),
                "subtree_size": cascade.subtree[i] - 1,
                "pagerank": ranks.get(node.author_external_id, 0.0),
                "betweenness": betweenness(cascade, i),
                "followers": node.followers,
            }
        )
    tops = {name: max((m[name] for m in measures), default=0.0) for name in SCORE_WEIGHTS}
    scored = []
    for m in measures:
        parts = {name: _normalised(name, m[name], tops[name]) for name in SCORE_WEIGHTS}
        score = sum(SCORE_WEIGHTS[name] * parts[name] for name in SCORE_WEIGHTS)
        scored.append((score, m, parts))
    scored.sort(key=lambda t: (-t[0], t[1]["index"]))
    out = []
    for score, m, parts in scored[:limit]:
        node = cascade.nodes[int(m["index"])]
        out.append(
            {
                "mention_id": node.mention_id,
                "author_external_id": node.author_external_id,
                "followers": node.followers,
                "verified": node.verified,
                "depth": node.depth,
                "published_at": node.published_at,
                "direct_reposts": int(m["direct_reposts"]),
                "subtree_size": int(m["subtree_size"]),
                "pagerank": round(m["pagerank"], 6),
                "betweenness": int(m["betweenness"]),
                "score": round(score, 4),
                "reason": _reason(m, parts, n, node.verified),
            }
        )
    return out


def _normalised(name: str, value: float, top: float) -> float:
    if top <= 0:
        return 0.0
    if name == "followers":
        return math.log1p(value) / math.log1p(top)
    return value / top


def _reason(m: dict[str, float], parts: dict[str, float], n: int, verified: bool) -> str:
    strongest = sorted(parts, key=lambda name: -SCORE_WEIGHTS[name] * parts[name])[:2]
    share = 100 * m["subtree_size"] / max(1, n - 1)
    phrases = {
        "subtree_size": f"{m['subtree_size']:.0f} of {n - 1} reposts ({share:.0f}%) passed through it",
        "direct_reposts": f"{m['direct_reposts']:.0f} direct reposts",
        "pagerank": f"author PageRank {m['pagerank']:.4f}",
        "betweenness": f"on the path of {m['betweenness']:.0f} pairs",
        "followers": f"{m['followers']:.0f} followers" + (", verified" if verified else ""),
    }
    return "; ".join(phrases[name] for name in strongest if parts[name] > 0) or "the cascade's only post"


def origins(cascade: Cascade, earliest: int = 3) -> list[dict[str, Any]]:
    """The earliest posts, then the first node of each large branch below the root."""
    n = cascade.size
    picked: list[tuple[int, str]] = []
    by_time = sorted(range(n), key=lambda i: (cascade.nodes[i].published_at, i))
    picked.extend((i, "earliest") for i in by_time[:earliest])
    threshold = max(2, math.ceil(LARGE_BRANCH_SHARE * n))
    seen = {i for i, _ in picked}
    for child in sorted(cascade.children[0] if n else [], key=lambda c: -cascade.subtree[c]):
        if cascade.subtree[child] >= threshold and child not in seen:
            picked.append((child, "branch"))
            seen.add(child)
    return [
        {
            "mention_id": cascade.nodes[i].mention_id,
            "author_external_id": cascade.nodes[i].author_external_id,
            "published_at": cascade.nodes[i].published_at,
            "kind": kind,
            "subtree_size": cascade.subtree[i] - 1,
        }
        for i, kind in picked
    ]


def summary(cascade: Cascade) -> dict[str, Any]:
    points, shares = growth(cascade)
    breadth = breadth_by_depth(cascade)
    return {
        "size": cascade.size,
        "unique_authors": len({node.author_external_id for node in cascade.nodes if node.author_external_id}),
        "depth": len(breadth) - 1 if breadth else 0,
        "max_breadth": max(breadth, default=0),
        "breadth_by_depth": breadth,
        "structural_virality": round(structural_virality(cascade), 6),
        "reach": reach(cascade),
        "growth": points,
        "time_to_share": shares,
        "platforms": sorted({node.platform for node in cascade.nodes}),
        "key_nodes": key_nodes(cascade),
        "origins": origins(cascade),
    }
