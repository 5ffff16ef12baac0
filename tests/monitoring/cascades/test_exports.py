"""Cascade exports open again in the tools they are for: what goes into a file is what a reader gets back."""

import io
import random
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta

import matplotlib.image
import networkx
import orjson
import pytest

from monitoring.cascades.exports import EXPORT_FORMATS, PICTURE_MAX_NODES, export_cascade
from monitoring.cascades.structure import Cascade, Node, key_nodes

T0 = datetime(2026, 12, 1, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
READERS = {"gexf": networkx.read_gexf, "graphml": networkx.read_graphml}

# mention: (parent, author, sentiment); "" is a mention the classifier has not scored yet.
SMALL = {
    1: (None, "alice", "negative"),
    2: (1, "bob", "positive"),
    3: (1, "carol", ""),
    4: (2, "dave", "neutral"),
    5: (2, "bob", "negative"),
    6: (3, "alice", "positive"),
    7: (6, "erin", "negative"),
    8: (1, "bob", "neutral"),
}


def build(tree: dict[int, tuple[int | None, str, str]]) -> Cascade:
    """Nodes in BFS order, as the selector gives them; node k has k * 10 followers and even ids are verified."""
    depth: dict[int, int] = {}
    for k, (parent, _, _) in sorted(tree.items()):
        depth[k] = 0 if parent is None else depth[parent] + 1
    return Cascade(
        [
            Node(
                mention_id=k,
                parent_id=tree[k][0],
                depth=depth[k],
                author_external_id=tree[k][1],
                followers=k * 10,
                verified=k % 2 == 0,
                published_ts=(T0 + timedelta(minutes=k)).timestamp(),
                platform="weibo",
                sentiment=tree[k][2],
            )
            for k in sorted(depth, key=lambda k: (depth[k], k))
        ]
    )


def random_tree(n: int, seed: int) -> dict[int, tuple[int | None, str, str]]:
    rng = random.Random(seed)
    sentiments = ["positive", "neutral", "negative", ""]
    tree: dict[int, tuple[int | None, str, str]] = {1: (None, "u0", "negative")}
    for k in range(2, n + 1):
        tree[k] = (rng.randint(1, k - 1), f"u{rng.randrange(n // 4)}", rng.choice(sentiments))
    return tree


def parent_edges(tree: dict[int, tuple[int | None, str, str]]) -> set[tuple[int, int]]:
    return {(parent, k) for k, (parent, _, _) in tree.items() if parent is not None}


def svg_texts(content: bytes) -> list[str]:
    root = ElementTree.fromstring(content)
    assert root.tag == f"{SVG}svg"
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_the_cascade_reads_back_with_its_edges_and_attributes(fmt):
    cascade = build(SMALL)

    content, _, _ = export_cascade(cascade, fmt)
    graph = READERS[fmt](io.BytesIO(content), node_type=int)

    assert graph.is_directed()
    assert set(graph.nodes) == set(SMALL)
    assert set(graph.edges) == parent_edges(SMALL)
    bob = graph.nodes[2]
    assert bob["author_external_id"] == "bob" and bob["sentiment"] == "positive"
    assert bob["subtree_size"] == 2 and bob["direct_reposts"] == 2 and bob["depth"] == 1
    assert bob["followers"] == 20 and bob["verified"] is True
    assert bob["published_at"] == "2026-12-01T00:02:00+00:00" and bob["platform"] == "weibo"
    assert graph.nodes[3]["sentiment"] == "" and graph.nodes[3]["verified"] is False
    scores = {k["mention_id"]: k["score"] for k in key_nodes(cascade)}
    assert graph.nodes[1]["key_node_score"] == pytest.approx(scores[1]) and scores[1] > 0
    assert graph.nodes[7]["key_node_score"] == 0.0  # a leaf is never a key node


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_a_large_cascade_reads_back_node_for_node(fmt):
    tree = random_tree(2000, seed=3)
    cascade = build(tree)

    graph = READERS[fmt](io.BytesIO(export_cascade(cascade, fmt)[0]), node_type=int)

    assert graph.number_of_nodes() == 2000
    assert set(graph.edges) == parent_edges(tree)
    for i, node in enumerate(cascade.nodes):
        assert graph.nodes[node.mention_id]["sentiment"] == node.sentiment
        assert graph.nodes[node.mention_id]["subtree_size"] == cascade.subtree[i] - 1


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_the_author_graph_has_one_node_per_author_and_counts_reposts(fmt):
    content, _, _ = export_cascade(build(SMALL), fmt, graph="authors")
    graph = READERS[fmt](io.BytesIO(content))

    assert set(graph.nodes) == {"alice", "bob", "carol", "dave", "erin"}
    # bob reposted alice twice; his repost of his own post carries no edge.
    assert {(s, t): w for s, t, w in graph.edges(data="weight")} == {
        ("bob", "alice"): 2,
        ("carol", "alice"): 1,
        ("dave", "bob"): 1,
        ("alice", "carol"): 1,
        ("erin", "alice"): 1,
    }
    bob = graph.nodes["bob"]
    assert bob["posts"] == 3 and bob["followers"] == 80 and bob["verified"] is True
    assert graph.nodes["alice"]["pagerank"] > graph.nodes["dave"]["pagerank"] > 0


def test_json_holds_every_node_and_a_tree_of_edges():
    tree = random_tree(2000, seed=5)

    content, media_type, extension = export_cascade(build(tree), "json")
    data = orjson.loads(content)

    assert (media_type, extension, data["graph"]) == ("application/json", ".json", "cascade")
    assert sorted(node["mention_id"] for node in data["nodes"]) == list(range(1, 2001))
    assert len(data["edges"]) == 1999
    assert {(e["source"], e["target"]) for e in data["edges"]} == parent_edges(tree)
    assert all(isinstance(v, str | int | float) for node in data["nodes"] for v in node.values())


def test_json_of_the_author_graph_weighs_its_edges():
    data = orjson.loads(export_cascade(build(SMALL), "json", graph="authors")[0])

    assert data["graph"] == "authors" and len(data["nodes"]) == 5
    assert {"source": "bob", "target": "alice", "weight": 2} in data["edges"]


def test_the_svg_is_a_drawing_labelled_with_the_top_key_node():
    cascade = build(SMALL)

    content, media_type, extension = export_cascade(cascade, "svg")
    texts = svg_texts(content)

    assert (media_type, extension) == ("image/svg+xml", ".svg")
    assert key_nodes(cascade)[0]["author_external_id"] in texts
    assert "Cascade of mention 1: 8 of 8 nodes shown" in texts
    assert {t.split(" (")[0] for t in texts} >= {"positive", "neutral", "negative", "unknown"}


def test_an_author_id_the_font_cannot_draw_is_labelled_by_its_mention():
    cascade = build({1: (None, "危机", "negative"), 2: (1, "b", "positive"), 3: (1, "c", "neutral")})

    texts = svg_texts(export_cascade(cascade, "svg")[0])

    assert "mention 1" in texts and "危机" not in "".join(texts)


def test_the_png_decodes_to_a_picture_with_something_on_it():
    content, media_type, _ = export_cascade(build(random_tree(2000, seed=1)), "png")

    image = matplotlib.image.imread(io.BytesIO(content), format="png")

    assert media_type == "image/png" and content.startswith(b"\x89PNG\r\n\x1a\n")
    assert image.shape[0] > 0 and image.shape[1] > 0
    assert image[..., :3].min() < 0.5  # not a blank page


def test_a_cascade_above_the_limit_draws_the_limit_and_says_so():
    n = PICTURE_MAX_NODES + 500

    content, _, _ = export_cascade(build(random_tree(n, seed=2)), "svg")
    root = ElementTree.fromstring(content)
    drawn = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "nodes")

    assert f"Cascade of mention 1: {PICTURE_MAX_NODES:,} of {n:,} nodes shown (the largest subtrees)" in svg_texts(
        content
    )
    # matplotlib draws each marker as a path, or as a use of one shared path when all markers are alike.
    assert len([e for e in drawn.iter() if e.tag in (f"{SVG}path", f"{SVG}use")]) == PICTURE_MAX_NODES


def test_an_empty_cascade_still_exports():
    for fmt in EXPORT_FORMATS:
        content, _, _ = export_cascade(Cascade([]), fmt)
        assert content


@pytest.mark.parametrize(
    ("fmt", "graph", "message"),
    [
        ("csv", "cascade", "gexf, graphml, json, svg, png"),
        ("json", "people", "cascade, authors"),
        ("png", "authors", "gexf or graphml"),
    ],
)
def test_what_cannot_be_exported_is_refused_with_the_choices(fmt, graph, message):
    with pytest.raises(ValueError, match=message):
        export_cascade(build(SMALL), fmt, graph=graph)
