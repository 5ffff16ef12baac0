"""No poison pills: one mention that cannot be indexed is quarantined as a dead letter; the rest goes in."""

from typing import Any

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention, SearchOutbox
from tenants.models import Tenant
from tests.conftest import Api, key_auth

DEAD_LETTERS = "/api/v1/dead-letters"


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def ingest(api: Api, *items: dict[str, Any]) -> dict[str, int]:
    response = api.post("/api/v1/mentions/batch", {"mentions": list(items)})
    assert response.status_code == 200, response.content
    with in_tenant(api.slug or ""):
        return {m.external_id: m.pk for m in Mention.objects.filter(external_id__in=[i["external_id"] for i in items])}


def plant(slug: str, mention_id: int, assignment: str) -> None:
    """Corrupt a stored row behind the services' back, the way the 1 BC timestamp got in."""
    with in_tenant(slug), connection.cursor() as cursor:
        cursor.execute(f"UPDATE monitoring_mention SET {assignment} WHERE id = %s", [mention_id])


def searchable(api: Api) -> int:
    return int(api.get("/api/v1/mentions/search?q=服务").json()["count"])


def test_an_unreadable_mention_is_quarantined_and_the_rest_become_searchable(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    ids = ingest(api, *(item(external_id=f"pp{n}") for n in range(1, 8)))
    for bad in ("pp2", "pp6"):
        plant("alpha", ids[bad], "published_at = '0001-01-01T00:00:00+14:00'")

    assert index_now("alpha") == 5

    with in_tenant("alpha"):
        assert SearchOutbox.objects.count() == 0
    assert searchable(api) == 5
    listed = api.get(f"{DEAD_LETTERS}?kind=search_index&resolved=false").json()["results"]
    assert [(x["item_model"], x["item_key"], x["attempts"], x["resolved_at"]) for x in listed] == [
        ("monitoring.Mention", str(ids["pp6"]), 1, None),
        ("monitoring.Mention", str(ids["pp2"]), 1, None),
    ]
    assert listed[1]["reason"].startswith("DataError: ") and "before year 1" in listed[1]["reason"]
    assert api.get(f"{DEAD_LETTERS}/counts").json() == {
        "open": 2,
        "by_kind": {"search_index": 2, "webhook_delivery": 0, "warning_scope": 0, "case_clock": 0, "alert_handler": 0},
    }

    plant("alpha", ids["pp2"], "published_at = now()")
    retried = api.post(f"{DEAD_LETTERS}/{listed[1]['id']}/retry")

    assert retried.status_code == 200, retried.content
    assert retried.json()["resolved_at"] is not None
    index_now("alpha")
    assert searchable(api) == 6
    assert [x["item_key"] for x in api.get(f"{DEAD_LETTERS}?resolved=false").json()["results"]] == [str(ids["pp6"])]
    assert api.get(f"{DEAD_LETTERS}/counts").json()["open"] == 1


def test_a_document_elasticsearch_refuses_is_quarantined_and_retries_count_up(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    ids = ingest(api, item(external_id="pr1"), item(external_id="pr2"))
    plant("alpha", ids["pr1"], "sentiment_score = 'NaN'")

    assert index_now("alpha") == 1

    assert searchable(api) == 1
    (letter,) = api.get(f"{DEAD_LETTERS}?kind=search_index").json()["results"]
    assert letter["item_key"] == str(ids["pr1"])
    assert letter["reason"].startswith("DocumentRejected: Elasticsearch refused the document (HTTP 400)")

    again = api.post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()
    assert (again["attempts"], again["resolved_at"]) == (2, None)
    assert again["last_failed_at"] > letter["last_failed_at"]

    plant("alpha", ids["pr1"], "sentiment_score = 0.5")
    assert api.post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()["resolved_at"] is not None
    index_now("alpha")
    assert searchable(api) == 2


def test_a_policy_that_cannot_be_evaluated_does_not_stop_the_other_policies_alerts(alpha, item):
    from monitoring.models import Alert, WarningPolicy
    from monitoring.tasks import warning_evaluate
    from tests.monitoring.test_warning import POLICIES, VOLUME_POLICY, post

    api = Api("alpha", auth=key_auth(alpha.api_key))
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()
    doomed = api.post(POLICIES, {**VOLUME_POLICY, "name": "Doomed watch"}).json()["id"]
    healthy = api.post(POLICIES, VOLUME_POLICY).json()["id"]
    # An indicator type no longer known (e.g. retired in an upgrade) makes its policy raise on every scope.
    with in_tenant("alpha"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE monitoring_warningpolicy SET indicators = jsonb_set(indicators, '{0,type}', '\"sunspots\"') "
            "WHERE id = %s",
            [doomed],
        )
    post(api, item, 3, timezone.now())

    with in_tenant("alpha"):
        result = warning_evaluate()
        alerting = sorted(Alert.objects.values_list("policy_id", flat=True))

    assert result == {"changes": 1, "quarantined": 1, "handler_failures": 0}
    assert alerting == [healthy]
    (letter,) = api.get(f"{DEAD_LETTERS}?kind=warning_scope").json()["results"]
    assert (letter["item_model"], letter["item_key"], letter["reason"]) == (
        "monitoring.WarningPolicy",
        f"{doomed}/tenant",
        "KeyError: 'sunspots'",
    )

    with in_tenant("alpha"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE monitoring_warningpolicy SET indicators = jsonb_set(indicators, '{0,type}', '\"volume\"') "
            "WHERE id = %s",
            [doomed],
        )
    assert api.post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()["resolved_at"] is not None
    with in_tenant("alpha"):
        assert sorted(Alert.objects.values_list("policy_id", flat=True)) == sorted([healthy, doomed])


def test_a_cluster_side_refusal_is_not_poison_the_rows_wait_for_elasticsearch(alpha, item, fresh_index, index_now):
    from monitoring.search.client import es_client
    from monitoring.search.index import alias_indices, alias_name
    from monitoring.search.outbox import drain

    fresh_index("alpha")
    api = Api("alpha", auth=key_auth(alpha.api_key))
    ingest(api, item(external_id="pb1"), item(external_id="pb2"))
    # A write block is what Elasticsearch puts on indices when its disk fills up: every item comes back refused.
    (index,) = alias_indices("alpha")
    es_client().indices.put_settings(index=index, settings={"index.blocks.write": True})
    try:
        with in_tenant("alpha"):
            blocked = drain("alpha")
            waiting = SearchOutbox.objects.count()
    finally:
        es_client().indices.put_settings(index=index, settings={"index.blocks.write": False})

    assert (blocked.indexed, blocked.quarantined, blocked.deferred) == (0, 0, 2)
    assert waiting == 2
    assert api.get(f"{DEAD_LETTERS}/counts").json()["open"] == 0
    assert index_now("alpha") == 2
    es_client().indices.refresh(index=alias_name("alpha"))
    assert searchable(api) == 2
