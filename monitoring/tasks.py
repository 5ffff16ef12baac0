from celery import shared_task
from elasticsearch import ConnectionError as ElasticsearchConnectionError

from monitoring.search.index import tenant_index_ensure
from tenants.context import current_tenant


@shared_task(
    name="monitoring.search_index_ensure",
    acks_late=True,
    autoretry_for=(ElasticsearchConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def search_index_ensure() -> str:
    """Recreate the current tenant's search alias if it is missing (e.g. Elasticsearch was down at signup)."""
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("search_index_ensure runs per tenant; it was sent without one")
    return tenant_index_ensure(tenant.slug)
