"""Zero-downtime rebuild of a tenant's index: fill a new backing index from PostgreSQL, then swap the alias."""

from collections.abc import Callable

from django.db.models import Max
from django.utils import timezone

from monitoring.models import Mention
from monitoring.search.client import es_client
from monitoring.search.documents import iter_all_documents
from monitoring.search.index import alias_indices, alias_name, backing_index_create
from monitoring.search.outbox import bulk_index

Progress = Callable[[int, int], None]


def reindex_tenant(slug: str, *, batch: int = 2000, progress: Progress | None = None) -> dict[str, object]:
    """Rebuild `slug`'s index while searches keep hitting the old one; returns what was done."""
    client = es_client()
    started = timezone.now()
    total = Mention.objects.count()
    new_index = backing_index_create(slug)
    client.indices.put_settings(index=new_index, settings={"refresh_interval": "-1"})
    done = 0
    try:
        for documents in iter_all_documents(batch):
            done += bulk_index(new_index, documents)
            if progress:
                progress(done, total)
        # Writes that landed in the old index while we copied: copy those mentions again before the swap.
        if Mention.objects.filter(updated_at__gte=started).aggregate(m=Max("id"))["m"] is not None:
            for documents in iter_all_documents(batch, updated_since=started):
                bulk_index(new_index, documents)
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
    for documents in iter_all_documents(batch, updated_since=started):
        bulk_index(new_index, documents)
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    return {"index": new_index, "alias": alias_name(slug), "documents": done, "replaced": old}
