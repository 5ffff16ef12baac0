"""Cost of one early-warning evaluation tick with 1,000 scopes (rules), on real CED Weibo text.

A fresh tenant gets 1,000 monitoring rules (frequent real words), 30,000 CED mentions spread over the last
hour (ingested through the product's pipeline, so buckets and matches are real), and one policy over all
rules with the default indicator set. Then evaluate() runs as beat runs it.

With --forecast the ticks are then run again, in the same process, with a `forecast_size` indicator added to the
policy (every scope above its min_count is forecast on every tick); the result goes to warning_tick_forecast.json.

    uv run python bench/warning_tick.py [--rules 1000] [--mentions 30000] [--ticks 5] [--forecast]
"""

import argparse
import time
from collections import Counter
from datetime import timedelta

from _setup import fresh_tenant, percentile, write_result  # type: ignore[import-not-found]
from django.utils import timezone
from django_tenants.utils import tenant_context
from ingest_throughput import load_items  # type: ignore[import-not-found]

from monitoring.ingest.bulk import ingest_stream
from monitoring.models import MonitoringRule, WarningPolicy
from monitoring.nlp import get_analyzer
from monitoring.warning.engine import evaluate
from monitoring.warning.services import policy_create, policy_update
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--mentions", type=int, default=30_000)
    parser.add_argument("--ticks", type=int, default=5)
    parser.add_argument("--forecast", action="store_true")
    args = parser.parse_args()
    created = fresh_tenant("bench-warning")
    items = load_items(args.mentions)
    now = timezone.now()
    for i, item in enumerate(items):
        item["published_at"] = (now - timedelta(seconds=3600 * i / len(items))).isoformat()
    words = Counter(
        t
        for a in get_analyzer().analyze_batch([i["text"] for i in items[:20_000]])
        for t in set(a.tokens)
        if len(t) > 1
    )
    vocabulary = [w for w, _ in words.most_common(args.rules)]
    with tenant_context(Tenant.objects.get(slug=created.slug)):
        WarningPolicy.objects.all().delete()
        MonitoringRule.objects.bulk_create(
            [MonitoringRule(name=f"rule {i}", expression=f'"{w}"') for i, w in enumerate(vocabulary)]
        )
        started = time.perf_counter()
        ingest_stream(items, batch=1000)
        ingest_seconds = time.perf_counter() - started
        indicators = [
            {"key": "volume", "type": "volume_anomaly", "window_minutes": 15, "weight": 0.25},
            {"key": "negative", "type": "negative_ratio", "window_minutes": 15, "weight": 0.2},
            {"key": "crisis_terms", "type": "keyword_frequency", "window_minutes": 15, "weight": 0.2},
            {"key": "spread", "type": "spread_velocity", "window_minutes": 10, "weight": 0.2},
            {"key": "influencers", "type": "influential_involvement", "window_minutes": 30, "weight": 0.15},
        ]
        policy = policy_create(actor=SYSTEM, name="all rules", scope_kind="rule", indicators=indicators)
        timings, opened = ticks(args.ticks)
        if args.forecast:
            # Same data, same load, one run: the policy again with a forecast_size indicator added.
            forecast = {"key": "forecast", "type": "forecast_size", "window_minutes": 15, "weight": 0.2}
            policy_update(actor=SYSTEM, policy_id=policy.pk, indicators=[*indicators, forecast])
            forecast_timings, _ = ticks(args.ticks)
    write_result(
        "warning_tick_forecast" if args.forecast else "warning_tick",
        {
            "scopes": len(vocabulary),
            "mentions": len(items),
            "indicators": 5,
            "ticks": args.ticks,
            "tick_ms_p50": round(percentile(timings, 50), 1),
            "tick_ms_max": round(max(timings), 1),
            "ms_per_scope": round(percentile(timings, 50) / max(len(vocabulary), 1), 3),
            "alerts_opened_first_tick": opened,
            **(
                {
                    "with_forecast_size_tick_ms_p50": round(percentile(forecast_timings, 50), 1),
                    "with_forecast_size_tick_ms_max": round(max(forecast_timings), 1),
                }
                if args.forecast
                else {}
            ),
            "ingest_seconds_for_setup": round(ingest_seconds, 1),
        },
    )


def ticks(count: int) -> tuple[list[float], int]:
    timings: list[float] = []
    opened = 0
    for tick in range(count):
        started = time.perf_counter()
        changes = evaluate(now=timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
        opened += sum(c.kind == "opened" for c in changes)
        print(f"tick {tick + 1}: {timings[-1]:.0f} ms, {len(changes)} changes")
    return timings, opened


if __name__ == "__main__":
    main()
