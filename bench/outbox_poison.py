"""What a poison mention costs the outbox drain: a clean drain against one with bad rows planted in it.

A fresh tenant gets N real CED Weibo mentions through the product's ingest pipeline; the drain is timed with
a clean outbox, then again after re-queueing everything with K rows made unreadable (a published_at before
year 1, as in the incident): the batch that holds them is read again one mention at a time and the bad ones
are quarantined. Before the fix the second drain did not finish at all (every batch rolled back).

    uv run python bench/outbox_poison.py [--mentions 10000] [--poison 3]
"""

import argparse
import time

from _setup import fresh_tenant, write_result  # type: ignore[import-not-found]
from django.db import connection
from django_tenants.utils import tenant_context
from ingest_throughput import load_items  # type: ignore[import-not-found]

from monitoring.ingest.bulk import ingest_stream
from monitoring.models import DeadLetter, Mention
from monitoring.search.client import es_client
from monitoring.search.index import alias_name
from monitoring.search.outbox import drain
from tenants.models import Tenant


def _requeue() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_searchoutbox")
        cursor.execute(
            "INSERT INTO monitoring_searchoutbox (mention_id, created_at) SELECT id, now() FROM monitoring_mention"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument("--poison", type=int, default=3)
    args = parser.parse_args()
    created = fresh_tenant("bench-poison")
    items = load_items(args.mentions)
    with tenant_context(Tenant.objects.get(slug=created.slug)):
        ingest_stream(items, batch=1000)
        _requeue()
        started = time.perf_counter()
        clean = drain(created.slug)
        clean_seconds = time.perf_counter() - started

        ids = list(Mention.objects.order_by("?").values_list("id", flat=True)[: args.poison])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE monitoring_mention SET published_at = '0001-01-01T00:00:00+14:00' WHERE id = ANY(%s)", [ids]
            )
        _requeue()
        started = time.perf_counter()
        poisoned = drain(created.slug)
        poisoned_seconds = time.perf_counter() - started
        letters = DeadLetter.objects.filter(resolved_at=None).count()
    es_client().indices.refresh(index=alias_name(created.slug))
    searchable = es_client().count(index=alias_name(created.slug))["count"]

    write_result(
        "outbox_poison",
        {
            "mentions": args.mentions,
            "batch": 2000,
            "clean_drain": {"seconds": round(clean_seconds, 3), "indexed": clean.indexed},
            "with_poison": {
                "poison_rows": args.poison,
                "seconds": round(poisoned_seconds, 3),
                "indexed": poisoned.indexed,
                "quarantined": poisoned.quarantined,
                "open_dead_letters": letters,
            },
            "searchable_documents": searchable,
        },
    )


if __name__ == "__main__":
    main()
