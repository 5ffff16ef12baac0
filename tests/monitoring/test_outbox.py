"""The outbox: ingestion never waits for Elasticsearch, and what was stored while it was down is indexed after."""

import pytest
from django_tenants.utils import tenant_context
from elasticsearch import TransportError

from monitoring.models import SearchOutbox
from monitoring.search.outbox import drain
from tenants.models import Tenant
from tests.api.test_health import services
from tests.conftest import Api, key_auth


def outbox(slug: str) -> int:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return SearchOutbox.objects.count()


def test_draining_indexes_and_empties_the_outbox(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="o1"), item(external_id="o2")]})

    assert outbox("alpha") == 2
    assert index_now("alpha") == 2
    assert outbox("alpha") == 0
    assert api.get("/api/v1/mentions/search?q=服务").json()["count"] == 2


@pytest.mark.disruptive
def test_ingest_keeps_working_while_elasticsearch_is_down_and_catches_up(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    services("down", "elasticsearch")
    try:
        response = api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="d1"), item(external_id="d2")]})
        search = api.get("/api/v1/mentions/search?q=服务")
        with tenant_context(Tenant.objects.get(slug="alpha")), pytest.raises(TransportError):
            drain("alpha")
        assert outbox("alpha") == 2
    finally:
        services("up", "elasticsearch")

    assert response.status_code == 200 and response.json()["accepted"] == 2
    assert search.status_code == 503
    assert search.json()["error"]["code"] == "service_unavailable"
    assert index_now("alpha") == 2
    assert outbox("alpha") == 0
    assert api.get("/api/v1/mentions/search?q=服务").json()["count"] == 2
