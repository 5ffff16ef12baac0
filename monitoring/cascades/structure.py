"""The shape of one cascade (a tree of mentions) and who carried it, in closed forms over subtree sizes.

Every measure here is exact on a tree and linear in its size: structural virality (Goel et al. 2016, the mean
distance over all pairs) is the Wiener index from subtree sizes, W = sum over edges of s(v) * (n - s(v)), divided
by the number of pairs; a node's betweenness counts the pairs whose path runs through it, from the sizes of the
parts its removal leaves. Only PageRank, on the graph of authors, needs a graph library.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, NamedTuple

import numpy
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
    # Seconds since the epoch: building 100k datetimes from database rows costs more than the whole tree query's
    # transfer, and every measure here only compares or subtracts times.
    published_ts: float
    platform: str
    sentiment: str
    # Its parent is not stored: it hangs off the root it names.
    orphan: bool = False

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.published_ts, UTC)


@dataclass
class Cascade:
    """Mentions in breadth-first order, the root first and every parent before its children.

    `rows` are Node-shaped tuples (Nodes, or rows straight from the tree query): the measures read columns, so a
    100k-node answer never builds 100k Nodes; `nodes` builds them when an export or a node listing asks.
    """

    rows: Sequence[tuple[Any, ...]]
    subtree: list[int] = field(default_factory=list)
    parent_index: list[int] = field(default_factory=list)
    author_ranks: dict[str, float] | None = None

    def __post_init__(self) -> None:
        n = len(self.rows)
        columns = list(zip(*self.rows, strict=True)) if n else [()] * len(Node._fields)
        ids = numpy.asarray(columns[0], dtype=numpy.int64)
        parents = numpy.asarray([-1 if p is None else p for p in columns[1]], dtype=numpy.int64)
        depth = numpy.asarray(columns[2], dtype=numpy.int64)
        self.authors: list[str] = list(columns[3])
        self.followers = numpy.asarray(columns[4], dtype=numpy.int64)
        self.times = numpy.asarray(columns[6], dtype=float)
        self.platforms: list[str] = list(columns[7])
        self.orphans = sum(map(bool, columns[9]))
        order = numpy.argsort(ids, kind="stable")
        slot = numpy.searchsorted(ids[order], parents).clip(0, max(n - 1, 0))
        parent_index = numpy.where(ids[order][slot] == parents, order[slot], -1) if n else parents
        # Sizes add up from the deepest level to the root, one level per step: a parent's depth is its child's
        # minus one, so every child of a level is complete before that level is summed into its parents.
        sizes = numpy.ones(n, dtype=numpy.int64)
        has_parent = parent_index >= 0
        for level in range(int(depth.max(initial=0)), 0, -1):
            at = has_parent & (depth == level)
            numpy.add.at(sizes, parent_index[at], sizes[at])
        self.depths = depth
        self._parents = parent_index
        self._sizes = sizes
        self.parent_index = parent_index.tolist()
        self.subtree = sizes.tolist()

    @property
    def size(self) -> int:
        return len(self.rows)

    def node(self, i: int) -> Node:
        row = self.rows[i]
        return row if isinstance(row, Node) else Node._make(row)

    @cached_property
    def nodes(self) -> list[Node]:
        return [self.node(i) for i in range(self.size)]

    @cached_property
    def direct(self) -> numpy.ndarray:
        """Each node's number of children (direct reposts)."""
        linked = self._parents[self._parents >= 0]
        return numpy.bincount(linked, minlength=self.size)

    def betweenness_all(self) -> numpy.ndarray:
        """Unordered pairs of other nodes whose path passes through each node, from the parts its removal leaves."""
        n = self.size
        linked = self._parents >= 0
        squares = numpy.bincount(self._parents[linked], weights=(self._sizes[linked] ** 2).astype(float), minlength=n)
        above = (n - self._sizes).astype(float)
        total = float(n - 1)
        return numpy.rint((total * total - squares - above * above) / 2).astype(numpy.int64)


def breadth_by_depth(cascade: Cascade) -> list[int]:
    return numpy.bincount(cascade.depths).tolist() if cascade.size else []


def structural_virality(cascade: Cascade) -> float:
    n = cascade.size
    if n < 2:
        return 0.0
    wiener = sum(s * (n - s) for i, s in enumerate(cascade.subtree) if cascade.parent_index[i] >= 0)
    return 2.0 * wiener / (n * (n - 1))


def reach(cascade: Cascade) -> int:
    followers: dict[str, int] = {}
    anonymous = 0
    for author, count in zip(cascade.authors, cascade.followers.tolist(), strict=True):
        if not author:
            anonymous += count
        elif count > followers.get(author, -1):
            followers[author] = count
    return anonymous + sum(followers.values())


def growth(cascade: Cascade) -> tuple[list[dict[str, object]], dict[str, float | None]]:
    """Cumulative size at up to GROWTH_POINTS evenly spaced times, and seconds from the first post to 10/50/90%."""
    n = cascade.size
    if not n:
        return [], {"p10": None, "p50": None, "p90": None}
    times = numpy.sort(cascade.times)
    start, end = float(times[0]), float(times[-1])
    steps = 1 if end == start else GROWTH_POINTS
    marks = start + (end - start) * numpy.arange(1, steps + 1) / steps
    marks[-1] = end
    sizes = numpy.searchsorted(times, marks, side="right")
    points: list[dict[str, object]] = [
        {"at": datetime.fromtimestamp(float(at), UTC), "size": int(size)} for at, size in zip(marks, sizes, strict=True)
    ]
    shares: dict[str, float | None] = {
        f"p{p}": float(times[max(0, math.ceil(n * p / 100) - 1)]) - start for p in (10, 50, 90)
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
    ids = [position.setdefault(author, len(position)) if author else -1 for author in cascade.authors]
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
    """The nodes that carried the spread, best first, each with its measures, score and the reason for its rank.

    Candidates are the root and every node someone reposted (a leaf carries nothing on). The measures of all
    candidates are columns of one array each, so only the top `limit` are turned into answers.
    """
    n = cascade.size
    if n == 0:
        return []
    ranks = author_pagerank(cascade)
    direct = cascade.direct
    candidates = numpy.flatnonzero(direct > 0)
    if not candidates.size or candidates[0] != 0:
        candidates = numpy.concatenate(([0], candidates))
    columns = {
        "direct_reposts": direct[candidates].astype(float),
        "subtree_size": (cascade._sizes[candidates] - 1).astype(float),
        "pagerank": numpy.fromiter((ranks.get(cascade.authors[i], 0.0) for i in candidates), dtype=float),
        "betweenness": cascade.betweenness_all()[candidates].astype(float),
        "followers": cascade.followers[candidates].astype(float),
    }
    tops = {name: float(columns[name].max(initial=0.0)) for name in SCORE_WEIGHTS}
    score = numpy.zeros(candidates.size)
    for name, weight in SCORE_WEIGHTS.items():
        score += weight * _normalised_column(name, columns[name], tops[name])
    # Best score first, ties to the earlier node (BFS order), as a stable sort on the negated score gives.
    best = numpy.argsort(-score, kind="stable")[:limit]
    out = []
    for k in best.tolist():
        i = int(candidates[k])
        node = cascade.node(i)
        m = {name: float(columns[name][k]) for name in SCORE_WEIGHTS}
        parts = {name: _normalised(name, m[name], tops[name]) for name in SCORE_WEIGHTS}
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
                "score": round(float(score[k]), 4),
                "reason": _reason(m, parts, n, node.verified),
            }
        )
    return out


def _normalised_column(name: str, values: numpy.ndarray, top: float) -> numpy.ndarray:
    if top <= 0:
        return numpy.zeros_like(values)
    if name == "followers":
        return numpy.log1p(values) / math.log1p(top)
    return values / top


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
    by_time = numpy.argsort(cascade.times, kind="stable")[:earliest].tolist()
    picked.extend((i, "earliest") for i in by_time)
    threshold = max(2, math.ceil(LARGE_BRANCH_SHARE * n))
    seen = {i for i, _ in picked}
    below_root = numpy.flatnonzero(cascade._parents == 0)
    for child in sorted(below_root.tolist(), key=lambda c: -cascade.subtree[c]):
        if cascade.subtree[child] >= threshold and child not in seen:
            picked.append((child, "branch"))
            seen.add(child)
    return [
        {
            "mention_id": node.mention_id,
            "author_external_id": node.author_external_id,
            "published_at": node.published_at,
            "kind": kind,
            "subtree_size": cascade.subtree[i] - 1,
        }
        for i, kind in picked
        for node in (cascade.node(i),)
    ]


def summary(cascade: Cascade) -> dict[str, Any]:
    points, shares = growth(cascade)
    breadth = breadth_by_depth(cascade)
    return {
        "size": cascade.size,
        "unique_authors": len(set(cascade.authors) - {""}),
        "depth": len(breadth) - 1 if breadth else 0,
        "max_breadth": max(breadth, default=0),
        "breadth_by_depth": breadth,
        "structural_virality": round(structural_virality(cascade), 6),
        "reach": reach(cascade),
        "growth": points,
        "time_to_share": shares,
        "platforms": sorted(set(cascade.platforms)),
        "key_nodes": key_nodes(cascade),
        "origins": origins(cascade),
    }
