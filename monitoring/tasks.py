"""Celery entry points of the monitoring app: thin, per tenant (the schema rides in the message headers)."""

from celery import shared_task
from django.conf import settings
from elasticsearch import ApiError, TransportError

from monitoring.deadletters.services import Quarantine
from monitoring.models import DeadLetterKind, WarningPolicy
from monitoring.search import outbox
from monitoring.search.index import tenant_index_ensure
from monitoring.topics import services as topics_services
from monitoring.warning.engine import evaluate
from monitoring.warning.handlers import AlertHandlers
from tenants.context import current_tenant
from tenants.models import Tenant


def _tenant() -> Tenant:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("this task runs per tenant; it was sent without one")
    return tenant


@shared_task(
    name="monitoring.search_index_ensure",
    acks_late=True,
    autoretry_for=(TransportError,),
    retry_backoff=True,
    max_retries=5,
)
def search_index_ensure() -> str:
    """Recreate the current tenant's search alias if it is missing (e.g. Elasticsearch was down at signup)."""
    return tenant_index_ensure(_tenant().slug)


@shared_task(
    name="monitoring.search_outbox_drain",
    acks_late=True,
    autoretry_for=(TransportError, ApiError, outbox.IndexingDeferred),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=8,
)
def search_outbox_drain() -> dict[str, int]:
    """Index the tenant's stale mentions; on Elasticsearch errors the rows stay and the task retries later.

    Mentions that cannot be indexed at all are quarantined as dead letters and counted in the result.
    """
    drained = outbox.drain(_tenant().slug)
    if drained.deferred:
        raise outbox.IndexingDeferred(f"{drained.deferred} mentions deferred by Elasticsearch")
    return {"indexed": drained.indexed, "quarantined": drained.quarantined}


@shared_task(name="monitoring.topics_refresh", acks_late=True)
def topics_refresh() -> dict[str, object]:
    """Assign the mentions ingested since the last refresh to topics; stops short of the beat interval, and the
    next beat goes on from the watermark."""
    done = topics_services.topics_refresh(budget_seconds=settings.VIGIL_TOPICS_REFRESH_BUDGET_SECONDS)
    return {"mentions": done.mentions, "topics_created": done.topics_created, "merged": done.merged}


@shared_task(name="monitoring.warning_evaluate", acks_late=True)
def warning_evaluate(scopes: list[str] | None = None) -> dict[str, int]:
    """Evaluate the tenant's warning policies (on the scopes an ingest batch touched, or all of them on beat).

    Counts the changes people are told of, the policies or scopes quarantined, and the alert handler runs that
    failed (each a dead letter).
    """
    _tenant()
    quarantine = Quarantine(DeadLetterKind.WARNING_SCOPE, WarningPolicy)
    handlers = AlertHandlers()
    changes = evaluate(scopes=set(scopes) if scopes is not None else None, quarantine=quarantine, handlers=handlers)
    return {"changes": len(changes), "quarantined": quarantine.quarantined, "handler_failures": handlers.failures}
