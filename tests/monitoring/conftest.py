from collections.abc import Callable, Iterator

import pytest
from django_tenants.utils import tenant_context

from monitoring.search.client import es_client
from monitoring.search.index import alias_name, tenant_index_delete, tenant_index_ensure
from monitoring.search.outbox import drain
from tenants.models import Tenant


@pytest.fixture
def fresh_index() -> Iterator[Callable[[str], None]]:
    """Give a tenant an empty search index (tests share the session's tenants and Elasticsearch)."""

    def reset(slug: str) -> None:
        tenant_index_delete(slug)
        tenant_index_ensure(slug)

    yield reset


@pytest.fixture
def index_now() -> Callable[[str], int]:
    """Drain the tenant's outbox into Elasticsearch and make it searchable at once."""

    def run(slug: str) -> int:
        with tenant_context(Tenant.objects.get(slug=slug)):
            indexed = drain(slug).indexed
        es_client().indices.refresh(index=alias_name(slug))
        return indexed

    return run
