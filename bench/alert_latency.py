"""Alert latency: from the ingest request that pushes a scope over a warning threshold to the signed webhook
for that alert arriving at a local receiver (alert stored and delivered), p50 and p95.

Each trial replays the start of a real CED rumour cascade through the REST API with its own timing compressed
(the first 120 posts squeezed into ~10 s), tagged so that a fresh rule and policy watch only that trial. The
policy's single volume indicator crosses blue, yellow, orange and red at known counts, so each notification
is matched to the request that caused it. Starts its own gunicorn and Celery worker.

    uv run python bench/alert_latency.py [--trials 8]
"""

import argparse
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from _setup import fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.conf import settings
from django_tenants.utils import tenant_context
from ingest_throughput import free_port, start_processes  # type: ignore[import-not-found]
from standardwebhooks.webhooks import Webhook

from monitoring.ingest.replay import post_batch
from monitoring.ingest.sources import ced
from monitoring.models import WarningPolicy
from monitoring.services import rule_create
from monitoring.warning.services import policy_create
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.services import channel_create

THRESHOLDS = {"blue": 25.0, "yellow": 45.0, "orange": 65.0, "red": 80.0}
HIGH = 100  # the volume indicator's count for a score of 1: level L is reached at THRESHOLDS[L] mentions


class Receiver:
    def __init__(self, secret: str) -> None:
        self.events: list[tuple[float, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                arrived = time.perf_counter()
                Webhook(secret).verify(body, {k.lower(): v for k, v in self.headers.items()})
                receiver.events.append((arrived, json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def cascade_items(count: int) -> list[dict[str, Any]]:
    root = ced.extract(
        settings.SHARED_DATA_DIR / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz",
        settings.BASE_DIR / ".services" / "datasets",
    )
    for cascade in ced.cascades(root, labels=("rumor",)):
        items = ced.items(cascade)
        if len(items) > count:
            return items[:count]
    raise RuntimeError("no cascade large enough")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="replay span of the first 120 posts")
    args = parser.parse_args()
    created = fresh_tenant("bench-alert")
    tenant = Tenant.objects.get(slug=created.slug)
    with tenant_context(tenant):
        WarningPolicy.objects.all().delete()
        channel = channel_create(actor=SYSTEM, name="bench", kind="webhook", format="generic", url="http://x/")
    receiver = Receiver(channel.secret)
    with tenant_context(tenant):
        channel.url = receiver.url
        channel.save(update_fields=["url"])
    # The receiver is on loopback, which webhooks reach only as an allowed target; the worker reads it at start.
    os.environ["WEBHOOK_ALLOWED_TARGETS"] = f"127.0.0.1:{receiver.server.server_address[1]}"
    port = free_port()
    processes = start_processes(port)
    url = f"http://127.0.0.1:{port}/api/v1/mentions/batch"
    base = cascade_items(120)
    times = [datetime.fromisoformat(i["published_at"]) for i in base]
    span = max((times[-1] - times[0]).total_seconds(), 1.0)
    samples: list[float] = []
    per_level: dict[str, list[float]] = {level: [] for level in THRESHOLDS}
    try:
        for trial in range(args.trials):
            marker = f"演练{trial}号"
            with tenant_context(tenant):
                rule = rule_create(actor=SYSTEM, name=f"trial {trial}", expression=marker)
                policy_create(
                    actor=SYSTEM,
                    name=f"trial {trial}",
                    scope_kind="rule",
                    scope_ids=[rule.pk],
                    indicators=[{"type": "volume", "window_minutes": 30, "params": {"low": 0, "high": HIGH}}],
                    thresholds=THRESHOLDS,
                    realert_minutes=10_000,
                )
            sent: list[tuple[float, int]] = []
            total = 0
            started = time.perf_counter()
            position = 0
            while position < len(base):
                elapsed = time.perf_counter() - started
                due = position
                while due < len(base) and (times[due] - times[0]).total_seconds() / span * args.seconds <= elapsed:
                    due += 1
                if due == position:
                    time.sleep(0.02)
                    continue
                now = datetime.now(UTC)
                batch = [
                    {
                        **item,
                        "external_id": f"t{trial}-{item['external_id']}",
                        "text": f"{item['text']} {marker}",
                        "published_at": (now - timedelta(seconds=1)).isoformat(),
                    }
                    for item in base[position:due]
                ]
                sent_at = time.perf_counter()
                post_batch(url, created.api_key, created.slug, batch)
                total += len(batch)
                sent.append((sent_at, total))
                position = due
            time.sleep(3)
            for arrived, event in receiver.events:
                data = event.get("data", {})
                if data.get("policy", {}).get("name") != f"trial {trial}" or event["type"] not in (
                    "alert.opened",
                    "alert.escalated",
                ):
                    continue
                needed = THRESHOLDS[data["level"]] * HIGH / 100
                cause = next(t for t, cumulative in sent if cumulative >= needed)
                latency = (arrived - cause) * 1000
                samples.append(latency)
                per_level[data["level"]].append(latency)
            print(f"trial {trial}: {len(samples)} samples so far")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        receiver.server.shutdown()
    write_result(
        "alert_latency",
        {
            "trials": args.trials,
            "samples": len(samples),
            "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1) if samples else None,
            "by_level_p50_ms": {k: round(percentile(v, 50), 1) for k, v in per_level.items() if v},
            "target_p95_ms": 5000,
            "what": "ingest request sent → evaluation on commit (Celery) → alert stored → signed webhook received",
        },
    )


if __name__ == "__main__":
    main()
