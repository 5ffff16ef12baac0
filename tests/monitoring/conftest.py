from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.search.client import es_client
from monitoring.search.index import alias_name, tenant_index_delete, tenant_index_ensure
from monitoring.search.outbox import drain
from tenants.models import Tenant

_ids = count(1)


@pytest.fixture
def item() -> Callable[..., dict[str, Any]]:
    """A valid mention item; keyword arguments override fields."""

    def make(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "platform": "weibo",
            "external_id": f"m{next(_ids)}",
            "text": "这家店的服务还不错",
            "published_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "author": {"external_id": "u1", "name": "小王", "followers": 120, "verified": False},
            "metrics": {"likes": 1, "reposts": 2, "comments": 3, "views": 40},
        }
        base.update(fields)
        return base

    return make


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
            indexed = drain(slug)
        es_client().indices.refresh(index=alias_name(slug))
        return indexed

    return run
