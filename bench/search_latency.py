"""Search latency with 1M mentions in one tenant: p50/p95 of keyword queries with filters and aggregations.

The corpus resamples real CED Weibo texts (analysed once by the product's own pipeline) with random platforms,
dates, authors and metrics, bulk-indexed into the tenant's real index. Queries go through the same search
selector the API uses (Elasticsearch round trip included, HTTP excluded).

    uv run python bench/search_latency.py [--docs 1000000] [--queries 300]
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _setup import fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.conf import settings
from django_tenants.utils import tenant_context
from elasticsearch import helpers

from monitoring.ingest.sources import ced
from monitoring.nlp import get_analyzer
from monitoring.search.client import es_client
from monitoring.search.index import alias_indices, alias_name
from monitoring.search.query import SearchParams, mentions_search
from tenants.models import Tenant

PLATFORMS = ["weibo", "douyin", "wechat", "zhihu", "xiaohongshu", "bilibili", "news"]
QUERY_WORDS = [
    "医院",
    "谣言",
    "地震",
    "警察",
    "孩子",
    "政府",
    "手机",
    "食品",
    "安全",
    "学生",
    "死亡",
    "官方",
    "视频",
    "记者",
    "事件",
    "公司",
    "网友",
    "北京",
    "上海",
    "中国",
]


def corpus_texts(limit: int) -> list[str]:
    root = ced.extract(
        settings.SHARED_DATA_DIR / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz",
        settings.BASE_DIR / ".services" / "datasets",
    )
    texts: list[str] = []
    for cascade in ced.cascades(root):
        texts.append(cascade.source.get("text") or "")
        texts.extend(r.get("text") or "" for r in cascade.reposts if len(r.get("text") or "") > 8)
        if len(texts) >= limit:
            break
    return [t for t in texts if t.strip()][:limit]


def documents(pool: list[dict[str, Any]], count: int, rng: random.Random) -> Any:
    end = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(count):
        base = rng.choice(pool)
        likes, reposts, comments = rng.randint(0, 50), rng.randint(0, 200), rng.randint(0, 30)
        yield {
            "_index": base["_index"],
            "_id": i + 1,
            "_source": {
                **base["_source"],
                "id": i + 1,
                "external_id": f"b{i + 1}",
                "platform": rng.choice(PLATFORMS),
                "author_id": f"u{rng.randint(1, 50_000)}",
                "author_name": f"用户{rng.randint(1, 50_000)}",
                "author_followers": rng.randint(0, 2_000_000),
                "published_at": (end - timedelta(seconds=rng.randint(0, 90 * 86400))).isoformat(),
                "likes": likes,
                "reposts": reposts,
                "comments": comments,
                "views": 0,
                "engagement": likes + reposts + comments,
            },
        }


def build(slug: str, count: int, rng: random.Random) -> float:
    texts = corpus_texts(60_000)
    analyses = get_analyzer().analyze_batch(texts)
    index = alias_indices(slug)[0]
    pool = [
        {
            "_index": index,
            "_source": {
                "id": 0,
                "platform": "",
                "external_id": "",
                "url": "",
                "author_id": "",
                "author_name": "",
                "author_followers": 0,
                "author_verified": False,
                "title": "",
                "text": a.text_nfc,
                "text_simplified": a.analysis_text,
                "tokens": " ".join(a.tokens),
                "terms": list(dict.fromkeys(t for t in a.tokens if len(t) > 1))[:64],
                "language": a.language,
                "script": a.script,
                "sentiment": a.sentiment,
                "sentiment_score": a.sentiment_score,
                "emotion": a.emotion,
                "emotion_score": a.emotion_score,
                "rules": [rng.randint(1, 20)],
                "brands": [rng.randint(1, 5)],
                "relation": None,
                "parent_external_id": None,
                "published_at": "",
                "engagement": 0,
                "likes": 0,
                "reposts": 0,
                "comments": 0,
                "views": 0,
            },
        }
        for a in analyses
    ]
    client = es_client().options(request_timeout=300)
    client.indices.put_settings(index=index, settings={"refresh_interval": "-1"})
    started = time.perf_counter()
    done = 0
    for ok, _ in helpers.streaming_bulk(
        client, documents(pool, count, rng), chunk_size=5000, max_retries=3, raise_on_error=True
    ):
        done += ok
        if done % 100_000 == 0:
            print(f"  indexed {done:,}/{count:,}")
    client.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=index)
    client.indices.forcemerge(index=index, max_num_segments=1, wait_for_completion=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="query the index a previous run built")
    args = parser.parse_args()
    rng = random.Random(7)
    slug = "bench-search"
    index_seconds = None
    if not (args.reuse and Tenant.objects.filter(slug=slug).exists()):
        fresh_tenant(slug)
        print(f"building {args.docs:,} documents in tenant {slug}")
        index_seconds = round(build(slug, args.docs, rng), 1)
    with tenant_context(Tenant.objects.get(slug=slug)):
        documents = es_client().count(index=alias_name(slug))["count"]
        mixes = {
            "filtered": run_mix(slug, args.queries, rng, broad=False),
            "broad": run_mix(slug, args.queries, rng, broad=True),
        }
    write_result(
        "search_latency",
        {
            "documents": documents,
            "index_build_seconds": index_seconds,
            "target_p95_ms": 100,
            "es_heap": "512m",
            "aggregations": "volume (1d), sentiment over time, top authors, platforms, top terms (sampled)",
            **mixes,
        },
    )


def run_mix(slug: str, queries: int, rng: random.Random, *, broad: bool) -> dict[str, Any]:
    """`filtered`: keyword + 3 platforms + sentiment + 30 days + min engagement; `broad`: keyword + 90 days."""
    latencies: list[float] = []
    counts: list[float] = []
    for i in range(queries + 20):
        until = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=0 if broad else rng.randint(0, 30))
        params = SearchParams(
            q=rng.choice(QUERY_WORDS),
            platforms=[] if broad else rng.sample(PLATFORMS, 3),
            sentiments=[] if broad else [rng.choice(["negative", "neutral", "positive"])],
            since=until - timedelta(days=90 if broad else 30),
            until=until,
            min_engagement=None if broad else rng.choice([0, 10, 50]),
            aggregations=["volume", "sentiment", "authors", "platforms", "terms"],
            interval="1d",
            sort=rng.choice(["relevance", "time", "engagement"]),
        )
        started = time.perf_counter()
        result = mentions_search(slug, params)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 20:  # the first queries warm caches
            latencies.append(elapsed)
            counts.append(float(result["count"]))
    return {
        "queries": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
        "median_hits": int(percentile(counts, 50)),
    }


if __name__ == "__main__":
    main()
