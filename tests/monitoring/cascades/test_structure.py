"""Cascade measures are exact on hand-built trees: closed forms checked against brute force."""

import itertools
import random
from collections import deque
from datetime import UTC, datetime, timedelta

import networkx
import pytest

from monitoring.cascades.structure import Cascade, Node, key_nodes, origins, structural_virality, summary

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def build(parents: list[int | None], authors: list[str] | None = None, followers: list[int] | None = None) -> Cascade:
    """Nodes 1..n with parents[k] the parent of node k+1; depth from the parents; BFS order as the selector gives."""
    depth: dict[int, int] = {}
    for k, parent in enumerate(parents, start=1):
        depth[k] = 0 if parent is None else depth[parent] + 1
    order = sorted(depth, key=lambda k: (depth[k], k))
    return Cascade(
        [
            Node(
                mention_id=k,
                parent_id=parents[k - 1],
                depth=depth[k],
                author_external_id=(authors or [f"u{i}" for i in range(1, len(parents) + 1)])[k - 1],
                followers=(followers or [0] * len(parents))[k - 1],
                verified=False,
                published_ts=(T0 + timedelta(minutes=k)).timestamp(),
                platform="weibo",
                sentiment="negative",
            )
            for k in order
        ]
    )


def as_graph(parents: list[int | None]) -> networkx.Graph:
    graph = networkx.Graph()
    graph.add_nodes_from(range(1, len(parents) + 1))
    graph.add_edges_from((k, p) for k, p in enumerate(parents, start=1) if p is not None)
    return graph


def random_tree(n: int, seed: int) -> list[int | None]:
    rng = random.Random(seed)
    return [None, *(rng.randint(1, k - 1) for k in range(2, n + 1))]


def test_a_star_has_depth_one_and_its_hub_carries_every_pair():
    cascade = build([None, 1, 1, 1, 1])

    shape = summary(cascade)

    assert shape["size"] == 5 and shape["depth"] == 1
    assert shape["breadth_by_depth"] == [1, 4] and shape["max_breadth"] == 4
    # 4 hub-leaf pairs at distance 1, 6 leaf-leaf pairs at distance 2: (4 + 12) / 10.
    assert shape["structural_virality"] == pytest.approx(1.6)
    assert cascade.betweenness_all()[0] == 6


def test_a_chain_is_as_viral_as_a_tree_of_its_size_gets():
    cascade = build([None, 1, 2, 3, 4])

    shape = summary(cascade)

    assert shape["depth"] == 4 and shape["breadth_by_depth"] == [1, 1, 1, 1, 1]
    assert shape["structural_virality"] == pytest.approx(2.0)  # (4*1 + 3*2 + 2*3 + 1*4) / 10


@pytest.mark.parametrize("seed", range(5))
def test_virality_and_betweenness_match_all_pairs_paths(seed):
    parents = random_tree(40, seed)
    cascade = build(parents)
    graph = as_graph(parents)

    lengths = dict(networkx.all_pairs_shortest_path_length(graph))
    pairs = list(itertools.combinations(graph.nodes, 2))
    mean_distance = sum(lengths[a][b] for a, b in pairs) / len(pairs)
    exact = networkx.betweenness_centrality(graph, normalized=False)

    assert structural_virality(cascade) == pytest.approx(mean_distance)
    through = cascade.betweenness_all()
    for i, node in enumerate(cascade.nodes):
        assert through[i] == pytest.approx(exact[node.mention_id])


@pytest.mark.parametrize("seed", range(3))
def test_depth_and_breadth_match_a_breadth_first_walk(seed):
    parents = random_tree(60, seed)
    graph = as_graph(parents)
    levels: dict[int, int] = {1: 0}
    queue = deque([1])
    while queue:
        at = queue.popleft()
        for nxt in graph.neighbors(at):
            if nxt not in levels:
                levels[nxt] = levels[at] + 1
                queue.append(nxt)

    shape = summary(build(parents))

    assert shape["depth"] == max(levels.values())
    assert shape["breadth_by_depth"] == [list(levels.values()).count(d) for d in range(shape["depth"] + 1)]


def test_the_hub_that_pushed_the_spread_outranks_the_source_and_says_why():
    # 1 is the source; 2 got five reposts, two of which were reposted again; 3 got one.
    parents = [None, 1, 1, 2, 2, 2, 2, 2, 4, 5, 3]
    cascade = build(parents)

    ranked = key_nodes(cascade)

    assert [k["mention_id"] for k in ranked[:2]] == [2, 1]
    hub = ranked[0]
    assert hub["direct_reposts"] == 5 and hub["subtree_size"] == 7
    assert "5 direct reposts" in str(hub["reason"]) and "7 of 10 reposts" in str(hub["reason"])
    assert all(0 <= float(str(k["score"])) <= 1 for k in ranked)
    assert [(o["mention_id"], o["kind"]) for o in origins(cascade, earliest=1)] == [
        (1, "earliest"),
        (2, "branch"),
        (3, "branch"),
    ]


def test_reach_counts_each_author_once_and_pagerank_credits_the_reposted_author():
    parents = [None, 1, 1, 2]
    cascade = build(parents, authors=["a", "b", "b", "c"], followers=[1000, 50, 50, 7])

    shape = summary(cascade)

    assert shape["reach"] == 1057 and shape["unique_authors"] == 3
    ranks = {k["author_external_id"]: k["pagerank"] for k in shape["key_nodes"]}
    assert ranks["a"] > ranks["b"]


def test_growth_reaches_the_size_and_time_to_half_is_from_the_first_post():
    shape = summary(build([None, 1, 1, 1]))

    assert shape["growth"][-1]["size"] == 4 and shape["growth"][0]["size"] >= 1
    assert shape["time_to_share"] == {"p10": 0.0, "p50": 60.0, "p90": 180.0}
