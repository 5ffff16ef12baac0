"""Replays a recorded stream through the public REST API, live: the stream's own timing, compressed by `speed`,
with published_at moved to the moment each mention is sent, as a platform connector would deliver it."""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class ReplayStats:
    sent: int = 0
    accepted: int = 0
    updated: int = 0
    rejected: int = 0
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)


def post_batch(url: str, api_key: str, tenant: str, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"mentions": list(items)}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Api-Key {api_key}", "X-Tenant": tenant},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"ingest answered {exc.code}: {exc.read()[:300]!r}") from exc


def replay(
    items: Sequence[dict[str, Any]],
    *,
    url: str,
    api_key: str,
    tenant: str,
    speed: float,
    max_batch: int = 500,
    tick: float = 0.5,
    on_batch: Callable[[ReplayStats], None] | None = None,
) -> ReplayStats:
    """Send `items` (sorted by published_at) so that their gaps shrink `speed` times; returns what happened."""
    stats = ReplayStats()
    if not items:
        return stats
    times = [datetime.fromisoformat(item["published_at"]) for item in items]
    origin = times[0]
    started = time.monotonic()
    wall_start = datetime.now(UTC)
    position = 0
    while position < len(items):
        elapsed = time.monotonic() - started
        due = position
        while (
            due < len(items) and due - position < max_batch and (times[due] - origin).total_seconds() / speed <= elapsed
        ):
            due += 1
        if due == position:
            time.sleep(min(tick, max(0.0, (times[position] - origin).total_seconds() / speed - elapsed)))
            continue
        batch = []
        for item, when in zip(items[position:due], times[position:due], strict=True):
            moved = wall_start + timedelta(seconds=(when - origin).total_seconds() / speed)
            batch.append({**item, "published_at": min(moved, datetime.now(UTC)).isoformat()})
        sent_at = time.perf_counter()
        result = post_batch(url, api_key, tenant, batch)
        stats.latencies_ms.append((time.perf_counter() - sent_at) * 1000)
        stats.requests += 1
        stats.sent += len(batch)
        stats.accepted += int(result["accepted"])
        stats.updated += int(result["updated"])
        stats.rejected += int(result["rejected"])
        position = due
        if on_batch:
            on_batch(stats)
    return stats
