"""Topic quality and cost: the product's topic clustering over a mixed stream of CED and RumourEval events, scored
with NMI and ARI against the events, and its cost per 1,000 mentions.

- CED (Song et al. 2018): each source post with its reposts and comments is one event (at most --max-reposts per
  source, the earliest, to keep the run short).
- RumourEval 2017 train/dev: the threads (source tweet and replies) of eight news events. The processed files name
  no event, so a thread's event is read from its source tweet's time: the events lie weeks apart and every gap of
  a week or more between consecutive source tweets separates two of them (this gives the eight events).

Both streams are segmented with the product's analyzer and merged in time order. Replies and reposts follow their
root's topic as in the service. The obvious alternative is scored beside it: one topic per cascade (no text
clustering), which is exact on CED by construction and splits every RumourEval event into its threads.
"""

import argparse
import json
import time
from collections import Counter
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

from _setup import ROOT, write_result
from django.conf import settings
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from monitoring.ingest.sources import ced
from monitoring.nlp.pipeline import prepare_texts
from monitoring.nlp.segment import Segmenter
from monitoring.topics.clustering import Clusterer, Vocabulary, merges
from monitoring.topics.defaults import ACTIVE_HOURS, MERGE_THRESHOLD, THRESHOLD
from monitoring.topics.terms import topic_terms

SHARED = Path(settings.SHARED_DATA_DIR)
WEEK = 7 * 86400
# Posts per refresh of the service, which looks for merges at the end of each.
BATCH = 2000


def ced_posts(max_reposts: int) -> list[dict[str, Any]]:
    root = ced.extract(SHARED / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz", ROOT / ".services" / "datasets")
    posts = []
    for cascade in ced.cascades(root):
        for item in ced.items(cascade, max_reposts=max_reposts):
            posts.append(
                {
                    "key": f"w:{item['external_id']}",
                    "root": f"w:{item['root_external_id']}" if "root_external_id" in item else None,
                    "text": item["text"],
                    "at": datetime.fromisoformat(item["published_at"]).timestamp(),
                    "event": f"ced:{cascade.mid}",
                }
            )
    return posts


def rumoureval_posts() -> list[dict[str, Any]]:
    folder = SHARED / "threads" / "rumoureval2017" / "traindev"
    texts = json.loads((folder / "posts.json").read_text())
    structures = json.loads((folder / "structures.json").read_text())
    threads = sorted(structures, key=lambda t: texts[t]["time"])
    event, previous, events = 0, None, {}
    for thread in threads:
        at = texts[thread]["time"]
        if previous is not None and at - previous >= WEEK:
            event += 1
        events[thread], previous = event, at
    posts = []
    for thread, tree in structures.items():
        stack = [tree]
        while stack:
            node = stack.pop()
            for post, below in node.items():
                if post in texts:
                    posts.append(
                        {
                            "key": f"x:{post}",
                            "root": None if post == thread else f"x:{thread}",
                            "text": texts[post]["text"],
                            "at": texts[post]["time"],
                            "event": f"rumoureval:{events[thread]}",
                        }
                    )
                if isinstance(below, dict):
                    stack.append(below)
    return posts


def cluster(
    posts: list[dict[str, Any]], terms: list[Counter[str]], threshold: float, merge_threshold: float
) -> tuple[list[int], float]:
    ids = count(1)
    clusterer = Clusterer(
        Vocabulary(), (), threshold=threshold, active_seconds=ACTIVE_HOURS * 3600, new_topic=lambda _: next(ids)
    )
    topic_of: dict[str, int] = {}
    labels = []
    began = time.perf_counter()
    merged_into: dict[int, int] = {}

    def current(topic: int) -> int:
        while topic in merged_into:
            topic = merged_into[topic]
        return topic

    for n, (post, counts) in enumerate(zip(posts, terms, strict=True), start=1):
        if n % BATCH == 0:
            for into, gone in merges(clusterer, merge_threshold):
                merged_into[gone] = into
        root_topic = current(topic_of[post["root"]]) if post["root"] in topic_of else None
        if root_topic is None:
            topic = clusterer.assign(counts, post["at"])
        else:
            topic = clusterer.follow(root_topic, counts, post["at"])
        topic_of[post["key"]] = topic
        labels.append(topic)
    return [current(label) for label in labels], time.perf_counter() - began


def scores(gold: list[str], found: list[Any]) -> dict[str, float]:
    return {
        "nmi": round(normalized_mutual_info_score(gold, found), 4),
        "ari": round(adjusted_rand_score(gold, found), 4),
        "topics": len(set(found)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-reposts", type=int, default=50)
    parser.add_argument("--thresholds", default=f"{THRESHOLD},0.15,0.2,0.3")
    parser.add_argument("--merge-threshold", type=float, default=MERGE_THRESHOLD)
    args = parser.parse_args()

    posts = sorted(ced_posts(args.max_reposts) + rumoureval_posts(), key=lambda p: (p["at"], p["key"]))
    began = time.perf_counter()
    prepared = prepare_texts([p["text"] for p in posts], Segmenter())
    segment_s = time.perf_counter() - began
    terms = [topic_terms(tokens) for tokens in prepared.tokens]
    gold = [p["event"] for p in posts]
    roots = [i for i, p in enumerate(posts) if p["root"] is None]
    rumour = [i for i, p in enumerate(posts) if p["event"].startswith("rumoureval")]
    per_cascade = [p["root"] or p["key"] for p in posts]

    runs = {}
    for threshold in (float(t) for t in args.thresholds.split(",")):
        labels, cluster_s = cluster(posts, terms, threshold, args.merge_threshold)
        runs[str(threshold)] = {
            "all_posts": scores(gold, labels),
            "source_posts": scores([gold[i] for i in roots], [labels[i] for i in roots]),
            "rumoureval_posts": scores([gold[i] for i in rumour], [labels[i] for i in rumour]),
            "clustering_ms_per_1000": round(cluster_s / len(posts) * 1e6, 1),
        }
    write_result(
        "topics_quality",
        {
            "posts": len(posts),
            "events": len(set(gold)),
            "source_posts": len(roots),
            "default_threshold": THRESHOLD,
            "merge_threshold": args.merge_threshold,
            "segmentation_ms_per_1000": round(segment_s / len(posts) * 1e6, 1),
            "product": runs,
            "one_topic_per_cascade": {
                "all_posts": scores(gold, per_cascade),
                "source_posts": scores([gold[i] for i in roots], [per_cascade[i] for i in roots]),
                "rumoureval_posts": scores([gold[i] for i in rumour], [per_cascade[i] for i in rumour]),
            },
        },
    )


if __name__ == "__main__":
    main()
