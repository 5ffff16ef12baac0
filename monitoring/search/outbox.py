"""Draining the search outbox: stale mentions are re-indexed in bulk; rows go only once Elasticsearch has them.

One bad mention never holds up the others: a row that cannot be read or built into a document, and a document
Elasticsearch refuses, is quarantined as a dead letter and its outbox row goes; the rest of the batch commits.
Outages are not poison: a connection error rolls the whole batch back, and items Elasticsearch answers with
429, 5xx or another cluster-side error keep their rows; the Celery task retries both with back-off.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from elasticsearch import helpers

from monitoring.deadletters.services import dead_letter_record, dead_letters_resolve, reason_of
from monitoring.models import DeadLetterKind, Mention
from monitoring.search.client import es_client
from monitoring.search.documents import documents_build
from monitoring.search.index import alias_name
from tenants.context import current_tenant

logger = logging.getLogger(__name__)

_REASON_CHARS = 500
# Answers about the document itself (parsing, mapping, size). Anything else (429 and 5xx, a missing index, a
# read-only block on a full disk) is about the cluster: the row stays and is retried, never quarantined.
_POISON_STATUSES = frozenset({400, 409, 413})
_CLAIM_SQL = """
SELECT id, mention_id FROM monitoring_searchoutbox ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""


class IndexingDeferred(Exception):
    """Elasticsearch could not take some items for cluster reasons: their rows stay, to be retried with back-off."""


class DocumentRejected(Exception):
    """Elasticsearch refused the document itself (mapping, parsing): retrying as it is cannot help."""


@dataclass
class BulkResult:
    indexed: list[int] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)
    deferred: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Drained:
    indexed: int = 0
    quarantined: int = 0
    deferred: int = 0

    def __add__(self, other: "Drained") -> "Drained":
        return Drained(
            self.indexed + other.indexed, self.quarantined + other.quarantined, self.deferred + other.deferred
        )


def _item_error(item: dict[str, Any]) -> str:
    error = item.get("error")
    text = f"{error.get('type', 'error')}: {error.get('reason', '')}" if isinstance(error, dict) else str(error)
    return f"Elasticsearch refused the document (HTTP {item.get('status')}): {text}"[:_REASON_CHARS]


def bulk_index(index: str, documents: list[dict[str, Any]], *, refresh: bool = False) -> BulkResult:
    """Index the documents; each item's verdict comes back. Raises only when Elasticsearch cannot be reached."""
    actions = ({"_index": index, "_id": doc["id"], "_source": doc} for doc in documents)
    client = es_client().options(request_timeout=60)
    result = BulkResult()
    for ok, info in helpers.streaming_bulk(
        client, actions, chunk_size=1000, refresh=refresh, raise_on_error=False, raise_on_exception=True
    ):
        item = info["index"]
        mention_id, status = int(item["_id"]), int(item.get("status", 0))
        if ok:
            result.indexed.append(mention_id)
        elif status in _POISON_STATUSES:
            result.rejected[mention_id] = _item_error(item)
        else:
            result.deferred.append(mention_id)
    return result


def quarantine_mentions(failures: dict[int, BaseException], rejected: dict[int, str]) -> int:
    reasons = {mention_id: reason_of(exc) for mention_id, exc in failures.items()}
    reasons |= {mention_id: reason_of(DocumentRejected(text)) for mention_id, text in rejected.items()}
    for mention_id, reason in sorted(reasons.items()):
        dead_letter_record(
            kind=DeadLetterKind.SEARCH_INDEX, item_model=Mention._meta.label, item_key=mention_id, reason=reason
        )
    return len(reasons)


def drain_once(slug: str, *, batch: int | None = None) -> Drained | None:
    """Index one batch of outbox rows for the tenant; None when the outbox is empty."""
    size = batch or settings.SEARCH_OUTBOX_BATCH
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [size])
            rows = cursor.fetchall()
        if not rows:
            return None
        documents, failures = documents_build(sorted({mention_id for _, mention_id in rows}))
        # Raises when Elasticsearch is unreachable: the transaction rolls back and the rows stay for the next try.
        result = bulk_index(alias_name(slug), documents) if documents else BulkResult()
        quarantined = quarantine_mentions(failures, result.rejected)
        deferred = set(result.deferred)
        done = [row_id for row_id, mention_id in rows if mention_id not in deferred]
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM monitoring_searchoutbox WHERE id = ANY(%s)", [done])
        # A quarantined mention that was fixed and re-ingested has now gone in: its letter closes by itself.
        dead_letters_resolve(kind=DeadLetterKind.SEARCH_INDEX, item_keys=[str(i) for i in result.indexed])
    return Drained(len(result.indexed), quarantined, len(deferred))


def drain(slug: str, *, max_batches: int = 50) -> Drained:
    total = Drained()
    for _ in range(max_batches):
        once = drain_once(slug)
        if once is None:
            break
        total += once
        if once.deferred:
            break  # Elasticsearch is shedding load: draining on at once would hammer it
    if total.quarantined or total.deferred:
        logger.warning(
            "search outbox of %s: %s indexed, %s quarantined, %s deferred",
            slug,
            total.indexed,
            total.quarantined,
            total.deferred,
        )
    return total


def mention_index_retry(item_key: str) -> None:
    """Dead-letter retry of one mention: index it now, or raise why it still cannot be."""
    mention_id = int(item_key)
    documents, failures = documents_build([mention_id])
    if mention_id in failures:
        raise failures[mention_id]
    if not documents:
        return  # deleted since: nothing left to index
    tenant = current_tenant()
    assert tenant is not None, "dead letters are retried in their tenant's schema"
    result = bulk_index(alias_name(tenant.slug), documents)
    if result.rejected:
        raise DocumentRejected(result.rejected[mention_id])
    if result.deferred:
        raise IndexingDeferred("Elasticsearch could not take the document now; try again shortly.")


def outbox_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_searchoutbox")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
