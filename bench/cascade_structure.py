"""A 100,000-node cascade's /cascade answer (structure + key nodes) and author-graph PageRank, against networkx.

The cascade is ingested through the product's ingest service (NLP, rules, storage) as a preferential-attachment
repost tree, the shape real repost trees have (a few hubs, a long tail), each node by its own author. Every repost
names the root as `root_external_id`, as CED's do, and a share of them (`--orphan-share`, default 0.3) name a
parent that is never stored, so they are read as orphans under the root. Then the selector behind
GET /api/v1/mentions/{id}/cascade is timed (PostgreSQL recursive query included, HTTP excluded), and its two halves
apart: reading the tree and computing the answer.
PageRank runs on a random author graph of 100k nodes and 200k edges with rustworkx and with networkx.

    uv run python bench/cascade_structure.py [--nodes 100000] [--orphan-share 0.3] [--repeat 3]
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _setup import fresh_tenant, write_result  # type: ignore[import-not-found]
from django_tenants.utils import tenant_context

from monitoring.cascades.selectors import cascade_load, mention_cascade
from monitoring.cascades.structure import summary
from monitoring.ingest.bulk import ingest_stream
from monitoring.models import Mention
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant


def tree_items(n: int, orphan_share: float, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    targets = [0]  # one entry per child a node has, plus one: picking from it is preferential attachment
    items = []
    for k in range(n):
        item: dict[str, Any] = {
            "platform": "weibo",
            "external_id": f"bench-{k}",
            "text": "转发微博" if k else "这家店的食品安全出了问题",
            "published_at": (start + timedelta(seconds=3 * k)).isoformat(),
            "author": {"external_id": f"ua{k}", "name": "", "followers": rng.randint(0, 5000)},
        }
        if k:
            parent = rng.choice(targets)
            orphan = rng.random() < orphan_share
            item["parent_external_id"] = f"bench-missing-{k}" if orphan else f"bench-{parent}"
            item["relation"] = "repost"
            item["root_external_id"] = "bench-0"
            targets.append(parent)
        targets.append(k)
        items.append(item)
    return items


def pagerank_graph(nodes: int, edges: int, seed: int = 11) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    return [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(edges)]


def time_pagerank(nodes: int, edges: list[tuple[int, int]]) -> dict[str, float]:
    import networkx
    import rustworkx

    fast = rustworkx.PyDiGraph()
    fast.add_nodes_from(range(nodes))
    fast.add_edges_from_no_data(edges)
    began = time.perf_counter()
    rustworkx.pagerank(fast)
    rust = time.perf_counter() - began

    slow = networkx.DiGraph()
    slow.add_nodes_from(range(nodes))
    slow.add_edges_from(edges)
    began = time.perf_counter()
    networkx.pagerank(slow)
    nx = time.perf_counter() - began
    return {"rustworkx_s": round(rust, 3), "networkx_s": round(nx, 3), "ratio": round(nx / rust, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--orphan-share", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    fresh_tenant("bench-cascade")
    with tenant_context(Tenant.objects.get(slug="bench-cascade")):
        began = time.perf_counter()
        result = ingest_stream(tree_items(args.nodes, args.orphan_share), batch=1000)
        ingest_s = time.perf_counter() - began
        root = Mention.objects.get(external_id="bench-0").pk
        timings, loads, summaries = [], [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            answer = mention_cascade(actor=SYSTEM, mention_id=root)
            timings.append(time.perf_counter() - began)
            began = time.perf_counter()
            cascade, _ = cascade_load(root)
            loads.append(time.perf_counter() - began)
            began = time.perf_counter()
            summary(cascade)
            summaries.append(time.perf_counter() - began)

    write_result(
        "cascade_structure",
        {
            "nodes_ingested": result.accepted,
            "ingest_mentions_per_s": round(result.accepted / ingest_s),
            "cascade_size": answer["size"],
            "cascade_depth": answer["depth"],
            "cascade_orphans": answer["orphans"],
            "cascade_s": [round(t, 3) for t in timings],
            "cascade_best_s": round(min(timings), 3),
            "load_best_s": round(min(loads), 3),
            "summary_best_s": round(min(summaries), 3),
            "target_s": 2.0,
            "pagerank_100k_authors_200k_edges": time_pagerank(100_000, pagerank_graph(100_000, 200_000)),
            "pagerank_target_s": 1.0,
        },
    )


if __name__ == "__main__":
    main()
