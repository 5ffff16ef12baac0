"""Draining the search outbox: stale mentions are re-indexed in bulk; rows go only once Elasticsearch has them."""

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from elasticsearch import helpers

from monitoring.search.client import es_client
from monitoring.search.documents import documents_for
from monitoring.search.index import alias_name

logger = logging.getLogger(__name__)

_CLAIM_SQL = """
SELECT id, mention_id FROM monitoring_searchoutbox ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""


def bulk_index(index: str, documents: list[dict[str, Any]], *, refresh: bool = False) -> int:
    actions = ({"_index": index, "_id": doc["id"], "_source": doc} for doc in documents)
    client = es_client().options(request_timeout=60)
    indexed, _errors = helpers.bulk(client, actions, chunk_size=1000, refresh=refresh, raise_on_error=True)
    return indexed


def drain_once(slug: str, *, batch: int | None = None) -> int:
    """Index one batch of outbox rows for the tenant; returns how many mentions were indexed (0 when empty)."""
    size = batch or settings.SEARCH_OUTBOX_BATCH
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [size])
            rows = cursor.fetchall()
        if not rows:
            return 0
        mention_ids = sorted({mention_id for _, mention_id in rows})
        documents = documents_for(mention_ids)
        if documents:
            # Raises on any failure: the transaction rolls back and the rows stay for the next attempt.
            bulk_index(alias_name(slug), documents)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM monitoring_searchoutbox WHERE id = ANY(%s)", [[row_id for row_id, _ in rows]])
    return len(documents)


def drain(slug: str, *, max_batches: int = 50) -> int:
    total = 0
    for _ in range(max_batches):
        indexed = drain_once(slug)
        if indexed == 0:
            break
        total += indexed
    return total


def outbox_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_searchoutbox")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
