"""Topics over one tenant of 1,000,000 mentions: is a refresh done within a beat interval?

Real posts: CED's source posts with all their reposts (about 1.1 million), with the product's segmentation, loaded
in time order straight into the tenant's table (COPY: the ingest path is benchmarked by ingest_throughput.py). The
latest `--beat-mentions` (default 90,000: one 30-second beat at the 3,000 mentions/s ingest target) are held back.

1. The alternative, in the same run: clustering everything from scratch, as a non-incremental method would on
   every beat (the first refresh over the first 1,000,000).
2. The product: with those in topics, the held-back beat arrives and one refresh takes it in. Its time against
   VIGIL_TOPICS_REFRESH_SECONDS (30) is the target.
"""

import argparse
import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from _setup import ROOT, fresh_tenant, write_result
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from monitoring.ingest.sources import ced
from monitoring.models import Mention, Topic
from monitoring.nlp.pipeline import prepare_texts
from monitoring.nlp.segment import Segmenter
from monitoring.topics.services import topics_refresh
from tenants.models import Tenant

SHARED = Path(settings.SHARED_DATA_DIR)
COLUMNS = (
    "platform, external_id, url, title, text, published_at, likes, reposts, comments, views, parent_external_id, "
    "relation, raw, analysis_text, tokens, language, script, sentiment, emotion, matched_rules, matched_brands, "
    "content_hash, ingested_at, updated_at, root_external_id"
)


def posts(limit: int) -> list[dict[str, str]]:
    root = ced.extract(SHARED / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz", ROOT / ".services" / "datasets")
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for cascade in ced.cascades(root):
        for item in ced.items(cascade):
            if item["external_id"] in seen:
                continue
            seen.add(item["external_id"])
            found.append(item)
    found.sort(key=lambda i: (i["published_at"], i["external_id"]))
    return found[:limit]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def load(items: list[dict[str, str]], tokens: list[list[str]], ingested: datetime) -> float:
    began = time.perf_counter()
    buffer = io.StringIO()
    stamp = ingested.isoformat()
    for item, words in zip(items, tokens, strict=True):
        text = _escape(item["text"])
        fields = [
            "weibo",
            item["external_id"],
            "",
            "",
            text,
            item["published_at"],
            "0",
            "0",
            "0",
            "0",
            _escape(item.get("parent_external_id", "")),
            item.get("relation", ""),
            "{}",
            text,
            _escape(" ".join(words)),
            "zh",
            "hans",
            "",
            "",
            "{}",
            "{}",
            "bench",
            stamp,
            stamp,
            _escape(item.get("root_external_id", "")),
        ]
        buffer.write("\t".join(fields) + "\n")
    buffer.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY monitoring_mention ({COLUMNS}) FROM STDIN") as copy,  # type: ignore[attr-defined]
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--beat-mentions", type=int, default=90_000)
    args = parser.parse_args()

    began = time.perf_counter()
    items = posts(args.mentions + args.beat_mentions)
    if len(items) < args.mentions + args.beat_mentions:
        raise SystemExit(f"CED holds {len(items)} posts; ask for fewer")
    prepared = prepare_texts([i["text"] for i in items], Segmenter())
    print(f"{len(items)} posts read and segmented in {time.perf_counter() - began:.0f} s", flush=True)

    fresh_tenant("bench-topics")
    with tenant_context(Tenant.objects.get(slug="bench-topics")):
        history, beat = items[: args.mentions], items[args.mentions :]
        ingested = datetime.now(UTC) - timedelta(hours=1)
        load_s = load(history, prepared.tokens[: args.mentions], ingested)
        print(f"{len(history)} mentions loaded in {load_s:.0f} s; clustering them all from scratch…", flush=True)

        full = topics_refresh(settle_seconds=0)
        topics_after_full = Topic.objects.filter(status="live").count()
        print(f"from scratch: {full.seconds:.1f} s ({full.mentions} mentions, {full.batches} batches)", flush=True)

        load(beat, prepared.tokens[args.mentions :], ingested)
        incremental = topics_refresh(settle_seconds=0)
        print(f"one beat: {incremental.seconds:.2f} s ({incremental.mentions} mentions)", flush=True)

        stored = Mention.objects.count()
        assigned = Mention.objects.filter(topic__isnull=False).count()
        largest = list(Topic.objects.filter(status="live").order_by("-size").values_list("size", "label_terms")[:5])

    beat_seconds = cast(timedelta, settings.CELERY_BEAT_SCHEDULE["topics-refresh"]["schedule"]).total_seconds()
    write_result(
        "topics_refresh",
        {
            "tenant_mentions": stored,
            "mentions_with_a_topic": assigned,
            "live_topics": topics_after_full,
            "largest_topics": [{"size": size, "label_terms": terms[:6]} for size, terms in largest],
            "beat_interval_s": beat_seconds,
            "product_incremental": {
                "new_mentions": incremental.mentions,
                "seconds": incremental.seconds,
                "mentions_per_s": round(incremental.mentions / incremental.seconds),
                "topics_created": incremental.topics_created,
                "merged": incremental.merged,
                "within_beat": incremental.seconds <= beat_seconds,
            },
            "alternative_from_scratch": {
                "mentions": full.mentions,
                "seconds": full.seconds,
                "mentions_per_s": round(full.mentions / full.seconds),
                "within_beat": full.seconds <= beat_seconds,
            },
            "ratio_from_scratch_over_incremental": round(full.seconds / incremental.seconds, 1),
            "per_1000_mentions_ms": {
                "incremental": round(incremental.seconds / incremental.mentions * 1000 * 1000, 1),
                "from_scratch": round(full.seconds / full.mentions * 1000 * 1000, 1),
            },
        },
    )


if __name__ == "__main__":
    main()
