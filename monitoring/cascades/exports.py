"""A cascade as files people open in their own tools: Gephi and Cytoscape (GEXF, GraphML), scripts (JSON), and a
radial tree picture (SVG, PNG).

Two graphs can be exported: the cascade tree itself (mentions, parent to child) and the author graph that
`structure.author_pagerank` ranks (reposter to reposted author, weighted by count). Attribute values are only str,
int, float or bool, since the GEXF and GraphML readers of those tools take nothing else.
"""

import io
import math
from collections import Counter
from dataclasses import dataclass

import matplotlib
import networkx
import numpy
import orjson
from matplotlib import font_manager
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from monitoring.cascades.structure import Cascade, author_pagerank, key_nodes

EXPORT_FORMATS = ("gexf", "graphml", "json", "svg", "png")
GRAPHS = ("cascade", "authors")

# Above this many nodes a picture is an unreadable disc and slow to draw, so only the largest subtrees are kept.
PICTURE_MAX_NODES = 3000
PICTURE_LABELS = 10
PICTURE_INCHES = 10.0
PICTURE_DPI = 100

_MEDIA = {
    "gexf": ("application/gexf+xml", ".gexf"),
    "graphml": ("application/graphml+xml", ".graphml"),
    "json": ("application/json", ".json"),
    "svg": ("image/svg+xml", ".svg"),
    "png": ("image/png", ".png"),
}
_SENTIMENT_COLOURS = {
    "positive": "#2ca02c",
    "neutral": "#7f7f7f",
    "negative": "#d62728",
    "unknown": "#c5b0d5",
}
_LABEL_CHARS = 24

Attr = str | int | float | bool


@dataclass
class _Graph:
    name: str
    nodes: dict[Attr, dict[str, Attr]]
    edges: list[tuple[Attr, Attr, dict[str, Attr]]]


def export_cascade(cascade: Cascade, fmt: str, graph: str = "cascade") -> tuple[bytes, str, str]:
    """The file's content, its media type and its extension (with the dot) for one of EXPORT_FORMATS."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}.")
    if graph not in GRAPHS:
        raise ValueError(f"Unknown graph {graph!r}; expected one of {', '.join(GRAPHS)}.")
    media_type, extension = _MEDIA[fmt]
    if fmt in ("svg", "png"):
        if graph != "cascade":
            raise ValueError(
                f"A {fmt} picture shows the cascade tree only; export the author graph as gexf or graphml."
            )
        return _picture(cascade, fmt), media_type, extension
    table = _cascade_graph(cascade) if graph == "cascade" else _author_graph(cascade)
    if fmt == "json":
        return _json(table), media_type, extension
    return _xml(table, fmt), media_type, extension


def _cascade_graph(cascade: Cascade) -> _Graph:
    scores = {k["mention_id"]: float(k["score"]) for k in key_nodes(cascade)}
    nodes: dict[Attr, dict[str, Attr]] = {}
    edges: list[tuple[Attr, Attr, dict[str, Attr]]] = []
    for i, node in enumerate(cascade.nodes):
        nodes[node.mention_id] = {
            "mention_id": node.mention_id,
            "author_external_id": node.author_external_id,
            "depth": node.depth,
            "followers": node.followers,
            "verified": node.verified,
            "published_at": node.published_at.isoformat(),
            "platform": node.platform,
            "sentiment": node.sentiment,
            "orphan": node.orphan,
            # Reposts below the node, not counting itself: the same measure key_nodes reports.
            "subtree_size": cascade.subtree[i] - 1,
            "direct_reposts": int(cascade.direct[i]),
            "key_node_score": scores.get(node.mention_id, 0.0),
        }
        parent = cascade.parent_index[i]
        if parent >= 0:
            edges.append((cascade.nodes[parent].mention_id, node.mention_id, {}))
    return _Graph("cascade", nodes, edges)


def _author_graph(cascade: Cascade) -> _Graph:
    ranks = author_pagerank(cascade)
    nodes: dict[Attr, dict[str, Attr]] = {}
    for node in cascade.nodes:
        author = node.author_external_id
        if not author:
            continue
        seen = nodes.get(author)
        if seen is None:
            nodes[author] = {
                "author_external_id": author,
                # Each post carries the author's follower count when it was read; the largest is the latest.
                "followers": node.followers,
                "verified": node.verified,
                "posts": 1,
                "pagerank": ranks.get(author, 0.0),
            }
        else:
            seen["followers"] = max(int(seen["followers"]), node.followers)
            seen["verified"] = bool(seen["verified"]) or node.verified
            seen["posts"] = int(seen["posts"]) + 1
    # The edges author_pagerank weighs: anonymous posts and reposts of one's own post carry no edge.
    weights: Counter[tuple[str, str]] = Counter()
    for i, node in enumerate(cascade.nodes):
        parent = cascade.parent_index[i]
        if parent < 0:
            continue
        source, target = node.author_external_id, cascade.nodes[parent].author_external_id
        if source and target and source != target:
            weights[(source, target)] += 1
    edges: list[tuple[Attr, Attr, dict[str, Attr]]] = [(s, t, {"weight": w}) for (s, t), w in weights.items()]
    return _Graph("authors", nodes, edges)


def _json(table: _Graph) -> bytes:
    return orjson.dumps(
        {
            "nodes": list(table.nodes.values()),
            "edges": [{"source": s, "target": t, **attrs} for s, t, attrs in table.edges],
            "graph": table.name,
        }
    )


def _xml(table: _Graph, fmt: str) -> bytes:
    digraph = networkx.DiGraph(name=table.name)
    digraph.add_nodes_from(table.nodes.items())
    digraph.add_edges_from(table.edges)
    buffer = io.BytesIO()
    # Pretty printing doubles the size and the time of a large file that no one reads by eye.
    if fmt == "gexf":
        networkx.write_gexf(digraph, buffer, prettyprint=False)
    else:
        networkx.write_graphml(digraph, buffer, prettyprint=False)
    return buffer.getvalue()


def _picture(cascade: Cascade, fmt: str) -> bytes:
    n = cascade.size
    index = {node.mention_id: i for i, node in enumerate(cascade.nodes)}
    labelled = [index[k["mention_id"]] for k in key_nodes(cascade, limit=PICTURE_LABELS)]
    shown = _shown(cascade, labelled)
    x, y, parent = _radial_layout(cascade, shown)

    figure = Figure(figsize=(PICTURE_INCHES, PICTURE_INCHES), dpi=PICTURE_DPI)
    axes = figure.add_axes((0.02, 0.06, 0.96, 0.88))
    axes.set_axis_off()
    axes.set_aspect("equal")
    segments = [((x[p], y[p]), (x[k], y[k])) for k, p in enumerate(parent) if p >= 0]
    axes.add_collection(LineCollection(segments, colors="#b0b0b0", linewidths=0.3, zorder=1))

    categories = list(_SENTIMENT_COLOURS)
    kinds = [_sentiment(cascade.nodes[i].sentiment) for i in shown]
    palette = to_rgba_array([_SENTIMENT_COLOURS[c] for c in categories])
    colours = palette[[categories.index(k) for k in kinds]] if shown else palette[:0]
    sizes = 4.0 + 10.0 * numpy.log(numpy.asarray([cascade.subtree[i] for i in shown], dtype=float))
    axes.scatter(x, y, s=sizes, c=colours, linewidths=0, zorder=2, gid="nodes")

    position = {i: k for k, i in enumerate(shown)}
    for i in labelled:
        k = position[i]
        axes.annotate(
            _label(cascade, i),
            (x[k], y[k]),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            parse_math=False,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.7},
        )
    radius = max((math.hypot(a, b) for a, b in zip(x, y, strict=True)), default=0.0) + 0.5
    axes.set_xlim(-radius, radius)
    axes.set_ylim(-radius, radius)

    root = f"mention {cascade.nodes[0].mention_id}" if n else "an empty cascade"
    cut = " (the largest subtrees)" if len(shown) < n else ""
    axes.set_title(f"Cascade of {root}: {len(shown):,} of {n:,} nodes shown{cut}", fontsize=11)
    counts = Counter(_sentiment(node.sentiment) for node in cascade.nodes)
    handles = [
        Line2D(
            [], [], marker="o", linestyle="", markersize=6, color=_SENTIMENT_COLOURS[c], label=f"{c} ({counts[c]:,})"
        )
        for c in categories
    ]
    figure.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False, fontsize=9)

    buffer = io.BytesIO()
    # Text stays text in SVG, so it can be searched and the viewer's own fonts draw any script.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def _shown(cascade: Cascade, labelled: list[int]) -> list[int]:
    """Indices to draw, in BFS order: the labelled nodes with their ancestors, then the largest subtrees.

    A parent's subtree is larger than its child's, so a prefix of the nodes ranked by subtree size (ties broken by
    BFS index) already holds every ancestor of what it holds, and the drawing stays one tree.
    """
    n = cascade.size
    if n <= PICTURE_MAX_NODES:
        return list(range(n))
    keep = numpy.zeros(n, dtype=bool)
    for i in labelled:
        while i >= 0 and not keep[i]:
            keep[i] = True
            i = cascade.parent_index[i]
    ranked = numpy.argsort(-numpy.asarray(cascade.subtree), kind="stable")
    room = max(0, PICTURE_MAX_NODES - int(keep.sum()))
    keep[ranked[~keep[ranked]][:room]] = True
    return [int(i) for i in numpy.flatnonzero(keep)]


def _radial_layout(cascade: Cascade, shown: list[int]) -> tuple[list[float], list[float], list[int]]:
    """Positions of the shown nodes and each one's parent among them (-1 for a root).

    Depth is the radius; each node's wedge of the circle is split among its children by their leaf counts, so
    every leaf gets the same angle. One pass up for leaf counts, one down for wedges, both over the BFS order.
    """
    position = {i: k for k, i in enumerate(shown)}
    parent = [position.get(cascade.parent_index[i], -1) for i in shown]
    m = len(shown)
    leaves = [0] * m
    for k in range(m - 1, -1, -1):
        leaves[k] = leaves[k] or 1
        if parent[k] >= 0:
            leaves[parent[k]] += leaves[k]
    total = sum(leaves[k] for k in range(m) if parent[k] < 0) or 1
    depth = [0] * m
    start = [0.0] * m
    width = [0.0] * m
    cursor = [0.0] * m
    top = 0.0
    for k in range(m):
        p = parent[k]
        width[k] = 2 * math.pi * leaves[k] / total
        if p < 0:
            start[k] = top
            top += width[k]
        else:
            depth[k] = depth[p] + 1
            start[k] = start[p] + cursor[p]
            cursor[p] += width[k]
    angle = numpy.asarray(start) + numpy.asarray(width) / 2
    radius = numpy.asarray(depth, dtype=float)
    return (radius * numpy.cos(angle)).tolist(), (radius * numpy.sin(angle)).tolist(), parent


def _sentiment(value: str) -> str:
    return value if value in _SENTIMENT_COLOURS else "unknown"


def _label(cascade: Cascade, i: int) -> str:
    """The author's id, or the mention's when the id is empty or holds a glyph the picture's font cannot draw."""
    node = cascade.nodes[i]
    text = node.author_external_id[:_LABEL_CHARS]
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    if text and all(font.get_char_index(ord(c)) for c in text):
        return text
    return f"mention {node.mention_id}"
