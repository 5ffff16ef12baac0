"""Sustained ingest throughput, end to end: HTTP request → stored in PostgreSQL → indexed and searchable in
Elasticsearch, replaying real CED Weibo cascades; plus a per-stage breakdown of the pipeline.

Starts its own gunicorn (2 workers) and Celery worker against the running services, in a fresh tenant. With
`--topics` the same replay runs twice in one run, into two fresh tenants: once bare, once with a process
refreshing the tenant's topics back to back the whole time (what the beat's topics_refresh does under sustained
ingest: each refresh may run 25 s of a 30 s interval), to give the cost of topics as a ratio, and how long after
the stream the last mention had its topic.

    uv run python bench/ingest_throughput.py [--mentions 40000] [--batch 1000] [--clients 2] [--topics]
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from _setup import ROOT, fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.conf import settings
from django_tenants.utils import tenant_context

from monitoring.ingest.payload import parse_json
from monitoring.ingest.replay import post_batch
from monitoring.ingest.service import mentions_ingest
from monitoring.ingest.sources import ced
from monitoring.models import Mention, TopicState
from monitoring.search.client import es_client
from monitoring.search.index import alias_name
from monitoring.search.outbox import drain
from monitoring.topics.services import topics_refresh
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_items(count: int, prefix: str = "") -> list[dict[str, Any]]:
    root = ced.extract(
        settings.SHARED_DATA_DIR / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz",
        settings.BASE_DIR / ".services" / "datasets",
    )
    items: list[dict[str, Any]] = []
    for cascade in ced.cascades(root):
        for item in ced.items(cascade):
            items.append({**item, "external_id": prefix + item["external_id"]})
        if len(items) >= count:
            break
    return items[:count]


def start_processes(port: int) -> list[subprocess.Popen[bytes]]:
    # A queue of its own, so a running demo worker does not share the work being measured.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CELERY_TASK_DEFAULT_QUEUE": "bench-ingest"}
    logs = ROOT / "bench" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=(logs / "bench-web.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=(logs / "bench-worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    # Up to 2 minutes: each worker loads the text models, slowly on a busy machine.
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return [web, worker]
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("web server did not start")


def es_count(slug: str) -> int:
    es_client().indices.refresh(index=alias_name(slug))
    return int(es_client().count(index=alias_name(slug))["count"])


# Mentions younger than this wait for the next refresh (the product's default is 10 s, for late roots); shorter
# here so that refreshes overlap a replay of a few seconds instead of all starting after it.
BENCH_SETTLE_SECONDS = 2


def refresh_loop(slug: str) -> None:
    """Refresh the tenant's topics back to back until killed, a line of JSON per refresh."""
    with tenant_context(Tenant.objects.get(slug=slug)):
        while True:
            done = topics_refresh(budget_seconds=25.0, settle_seconds=BENCH_SETTLE_SECONDS)
            print(json.dumps({"mentions": done.mentions, "seconds": done.seconds}), flush=True)
            if not done.mentions:
                time.sleep(0.5)


def start_refresher(slug: str) -> subprocess.Popen[bytes]:
    """The refresh loop, once its first (empty) refresh has run: the replay must not start before it is working."""
    log = ROOT / "bench" / "results" / "bench-topics.log"
    process = subprocess.Popen(
        [sys.executable, __file__, "--refresh-loop", slug],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(600):
        if '"mentions"' in log.read_text():
            return process
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the topics refresher did not start; see {log}")


def topics_caught_up(slug: str, started: float) -> float:
    """Seconds from `started` until a refresh has taken in every stored mention (past the watermark)."""
    with tenant_context(Tenant.objects.get(slug=slug)):
        while time.perf_counter() - started < 900:
            state = TopicState.objects.filter(pk=1).first()
            if not Mention.objects.filter(pk__gt=state.watermark if state else 0).exists():
                break
            time.sleep(0.2)
    return round(time.perf_counter() - started, 2)


def end_to_end(
    slug: str, api_key: str, items: list[dict[str, Any]], batch: int, clients: int, *, topics: bool = False
) -> dict[str, Any]:
    port = free_port()
    processes = start_processes(port)
    if topics:
        processes.append(start_refresher(slug))
    url = f"http://127.0.0.1:{port}/api/v1/mentions/batch"
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    latencies: list[float] = []
    accepted = 0
    lock = threading.Lock()

    def client(mine: list[list[dict[str, Any]]]) -> None:
        nonlocal accepted
        for chunk in mine:
            started = time.perf_counter()
            result = post_batch(url, api_key, slug, chunk)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                accepted += int(result["accepted"]) + int(result["updated"])

    try:
        post_batch(url, api_key, slug, items[:1])  # warm both the web workers' models and the connection
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(batches[i::clients],)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored_at = time.perf_counter() - started
        # A few CED reposts appear in two cascades; what counts is that everything stored becomes searchable.
        with tenant_context(Tenant.objects.get(slug=slug)):
            stored = Mention.objects.count()
        while es_count(slug) < stored:
            if time.perf_counter() - started > 900:
                raise RuntimeError("indexing did not catch up within 15 minutes")
            time.sleep(0.2)
        searchable_at = time.perf_counter() - started
        topics_at = topics_caught_up(slug, started) if topics else None
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    return {
        "mentions_sent": len(items),
        "mentions_stored": stored,
        "batch": batch,
        "clients": clients,
        "stored_and_accepted": accepted,
        "seconds_until_stored": round(stored_at, 2),
        "seconds_until_searchable": round(searchable_at, 2),
        "stored_per_second": round(len(items) / stored_at),
        "end_to_end_per_second": round(len(items) / searchable_at),
        "request_p50_ms": round(percentile(latencies, 50), 1),
        "request_p95_ms": round(percentile(latencies, 95), 1),
        "topics_refreshing": topics,
        "seconds_until_every_mention_in_topics": topics_at,
    }


def stages(slug: str, items: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    """The pipeline in-process, stage by stage, per 1,000 mentions."""
    totals: dict[str, float] = {"parse": 0.0}
    with tenant_context(Tenant.objects.get(slug=slug)):
        for i in range(0, len(items), batch):
            body = json.dumps({"mentions": items[i : i + batch]}).encode()
            started = time.perf_counter()
            payload = parse_json(body)
            totals["parse"] += (time.perf_counter() - started) * 1000
            result = mentions_ingest(actor=SYSTEM, payload=payload)
            for stage, ms in result.timings_ms.items():
                totals[stage] = totals.get(stage, 0.0) + ms
        started = time.perf_counter()
        indexed = 0
        while True:
            done = drain(slug).indexed
            if not done:
                break
            indexed += done
        totals["elasticsearch"] = (time.perf_counter() - started) * 1000
    per_thousand = {stage: round(ms * 1000 / len(items), 1) for stage, ms in totals.items()}
    return {
        "mentions": len(items),
        "ms_per_1000_mentions": per_thousand,
        "single_process_per_second": round(len(items) / (sum(totals.values()) / 1000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--stage-mentions", type=int, default=10_000)
    parser.add_argument("--topics", action="store_true", help="also replay with topics refreshing, for a ratio")
    parser.add_argument("--refresh-loop", metavar="TENANT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refresh_loop:
        refresh_loop(args.refresh_loop)
        return
    created = fresh_tenant("bench-ingest")
    items = load_items(args.mentions)
    print(f"replaying {len(items):,} CED mentions through http, {args.clients} clients, batches of {args.batch}")
    e2e = end_to_end(created.slug, created.api_key, items, args.batch, args.clients)
    result: dict[str, Any] = {"end_to_end": e2e}
    if args.topics:
        print("the same replay into a fresh tenant, its topics refreshing back to back")
        with_topics = fresh_tenant("bench-ingest-topics")
        result["end_to_end_with_topics"] = end_to_end(
            with_topics.slug, with_topics.api_key, items, args.batch, args.clients, topics=True
        )
        result["with_topics_ratio"] = round(
            result["end_to_end_with_topics"]["end_to_end_per_second"] / e2e["end_to_end_per_second"], 3
        )
    print(f"in-process stage breakdown on {args.stage_mentions:,} more mentions")
    result["stages"] = stages(created.slug, load_items(args.stage_mentions, prefix="stage-"), args.batch)
    write_result("ingest_throughput", {**result, "target_per_second": 3000, "machine": f"{os.cpu_count()} cores"})


if __name__ == "__main__":
    main()
