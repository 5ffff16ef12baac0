"""Zero-downtime rebuild of a tenant's index: fill a new backing index from PostgreSQL, then swap the alias."""

from collections.abc import Callable
from typing import Any

from django.db.models import Max
from django.utils import timezone

from monitoring.models import Mention
from monitoring.search.client import es_client
from monitoring.search.documents import iter_all_documents
from monitoring.search.index import alias_indices, alias_name, backing_index_create
from monitoring.search.outbox import BulkResult, IndexingDeferred, bulk_index, quarantine_mentions

Progress = Callable[[int, int], None]


def reindex_tenant(slug: str, *, batch: int = 2000, progress: Progress | None = None) -> dict[str, object]:
    """Rebuild `slug`'s index while searches keep hitting the old one; returns what was done."""
    client = es_client()
    started = timezone.now()
    total = Mention.objects.count()
    new_index = backing_index_create(slug)
    client.indices.put_settings(index=new_index, settings={"refresh_interval": "-1"})
    done = quarantined = 0
    try:
        for documents, failures in iter_all_documents(batch):
            indexed, set_aside = _copy(new_index, documents, failures)
            done += indexed
            quarantined += set_aside
            if progress:
                progress(done, total)
        # Writes that landed in the old index while we copied: copy those mentions again before the swap.
        if Mention.objects.filter(updated_at__gte=started).aggregate(m=Max("id"))["m"] is not None:
            for documents, failures in iter_all_documents(batch, updated_since=started):
                _copy(new_index, documents, failures)
        client.indices.put_settings(index=new_index, settings={"refresh_interval": "1s"})
        client.indices.refresh(index=new_index)
    except Exception:
        client.indices.delete(index=new_index, ignore_unavailable=True)
        raise
    old = alias_indices(slug)
    actions: list[dict[str, object]] = [{"add": {"index": new_index, "alias": alias_name(slug)}}]
    actions += [{"remove": {"index": index, "alias": alias_name(slug)}} for index in old]
    client.indices.update_aliases(actions=actions)
    # Anything written to the old index between the catch-up and the swap is copied once more.
    for documents, failures in iter_all_documents(batch, updated_since=started):
        _copy(new_index, documents, failures)
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    return {
        "index": new_index,
        "alias": alias_name(slug),
        "documents": done,
        "quarantined": quarantined,
        "replaced": old,
    }


def _copy(index: str, documents: list[dict[str, Any]], failures: dict[int, BaseException]) -> tuple[int, int]:
    """Bulk-index one batch; mentions that cannot be indexed become dead letters instead of failing the rebuild."""
    result = bulk_index(index, documents) if documents else BulkResult()
    if result.deferred:
        raise IndexingDeferred(f"Elasticsearch could not take {len(result.deferred)} documents now.")
    return len(result.indexed), quarantine_mentions(failures, result.rejected)
