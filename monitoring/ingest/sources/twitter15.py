"""Twitter15 propagation trees (Ma et al. 2017) → mention items. The data has no text: each edge becomes a
retweet with no words of its own, timed by the source tweet's snowflake id plus the edge's delay."""

import csv
import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_TWITTER_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: int) -> datetime:
    return datetime.fromtimestamp(((tweet_id >> 22) + _TWITTER_EPOCH_MS) / 1000, UTC)


def items(path: Path, *, limit_trees: int | None = None) -> Iterator[dict[str, Any]]:
    roots: dict[str, str] = {}  # source tweet id -> its author's uid
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            source = row["source_tweet_id"]
            if row["parent_uid"] == "ROOT":
                if limit_trees is not None and len(roots) >= limit_trees:
                    return
                roots[source] = row["child_uid"]
            start = snowflake_time(int(source))
            child_uid = row["child_uid"]
            delay = float(row["child_delay_min"])
            if row["parent_uid"] == "ROOT":
                yield {
                    "platform": "x",
                    "external_id": source,
                    "text": f"[Twitter15 source tweet {source}]",
                    "published_at": start.isoformat(),
                    "author": {"external_id": child_uid},
                    "url": f"https://x.com/i/status/{source}",
                    "dataset": {"name": "Twitter15", "label": row["label"]},
                }
                continue
            if source not in roots:
                continue
            # A retweet of the source hangs off the source; a retweet of a retweet off that retweeter's copy.
            parent_uid = row["parent_uid"]
            parent = source if parent_uid == roots[source] else f"{source}:{parent_uid}"
            yield {
                "platform": "x",
                "external_id": f"{source}:{child_uid}",
                "text": "",
                "published_at": (start + timedelta(minutes=delay)).isoformat(),
                "author": {"external_id": child_uid},
                "parent_external_id": parent,
                "relation": "repost",
                "root_external_id": source,
                "dataset": {"name": "Twitter15", "label": row["label"], "tree": source},
            }
