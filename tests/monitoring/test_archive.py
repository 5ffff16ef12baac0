"""Nothing is lost by a delete: rules, brands, warning policies, channels and playbooks are archived; what points at
them (alerts and their events, case links, mention matches, deliveries) stays, and archived items stop acting."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Alert, Brand, MonitoringRule, WarningPolicy
from monitoring.warning.engine import evaluate
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.models import Delivery, DeliveryStatus, NotificationChannel
from tenants.notifications.services import channel_create, notify
from tests.conftest import Api, key_auth, nodes

POLICIES = "/api/v1/warning-policies"
VOLUME_POLICY = {
    "name": "Volume watch",
    "indicators": [{"key": "volume", "type": "volume", "window_minutes": 15, "params": {"low": 0, "high": 10}}],
    "thresholds": {"blue": 20, "yellow": 40, "orange": 60, "red": 80},
}


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def post(api: Api, item, count: int, **fields) -> list[dict]:
    items = [item(published_at=timezone.now().isoformat(), **fields) for _ in range(count)]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == count
    external_ids = {i["external_id"] for i in items}
    return [m for m in api.get("/api/v1/mentions?page_size=200").json()["results"] if m["external_id"] in external_ids]


def test_deleting_a_policy_keeps_its_alerts_and_their_events_on_the_case(alpha, item):
    api = admin(alpha)
    with in_tenant("alpha"):
        WarningPolicy.objects.all().delete()  # only the policy under test raises alerts
    policy = api.post(POLICIES, VOLUME_POLICY).json()
    post(api, item, 9)
    with in_tenant("alpha"):
        evaluate()
        alert_id = Alert.objects.get().pk
    api.post(f"/api/v1/alerts/{alert_id}/acknowledge", {"note": "looking"})
    case = api.post(f"/api/v1/alerts/{alert_id}/promote", {"scenario": "product_quality"}).json()

    deleted = api.request("delete", f"{POLICIES}/{policy['id']}")
    post(api, item, 9)
    with in_tenant("alpha"):
        changes = evaluate(now=timezone.now() + timedelta(minutes=1))

    assert deleted.status_code == 204
    assert api.get(f"/api/v1/cases/{case['id']}").json()["alert_ids"] == [alert_id]
    alert = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert alert["policy_name"] == "Volume watch"
    assert [e["kind"] for e in alert["events"]] == ["opened", "acknowledged"]
    kept = api.get(f"{POLICIES}/{policy['id']}").json()
    assert kept["archived_at"] is not None and kept["archived_by"] == "default"
    assert api.get(POLICIES).json()["results"] == []
    assert [p["id"] for p in api.get(f"{POLICIES}?archived=true").json()["results"]] == [policy["id"]]
    assert changes == []  # an archived policy is not evaluated


def test_deleting_a_brand_keeps_case_links_and_mention_matches_and_it_stops_matching(alpha, item):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河", "expression": "星河"}).json()
    rule = api.post("/api/v1/rules", {"name": "complaints", "expression": "投诉"}).json()
    (before,) = post(api, item, 1, text="星河的服务太差了，要投诉")
    case = api.post("/api/v1/cases", {"title": "服务", "scenario": "service_failure", "severity": "III"}).json()
    api.post(f"/api/v1/cases/{case['id']}/links", {"brand_ids": [brand["id"]], "evidence_ids": [before["id"]]})

    brand_deleted = api.request("delete", f"/api/v1/brands/{brand['id']}")
    rule_deleted = api.graphql(f"mutation {{ deleteRule(id: {rule['id']}) }}").json()["data"]
    (after,) = post(api, item, 1, text="星河又被投诉了")
    kept = api.get(f"/api/v1/brands/{brand['id']}")

    assert brand_deleted.status_code == 204 and rule_deleted == {"deleteRule": True}
    assert api.get(f"/api/v1/cases/{case['id']}").json()["brands"] == [brand["id"]]
    assert api.get(f"/api/v1/mentions/{before['id']}").json()["matched_brands"] == [brand["id"]]
    assert kept.status_code == 200 and kept.json()["name"] == "星河" and kept.json()["archived_at"] is not None
    assert (after["matched_brands"], after["matched_rules"]) == ([], [])
    assert api.get("/api/v1/brands").json()["results"] == []
    with in_tenant("alpha"):
        assert Brand.objects.filter(pk=brand["id"]).exists() and MonitoringRule.objects.filter(pk=rule["id"]).exists()


def test_restored_items_act_again_and_edits_of_archived_ones_are_409(alpha, item):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河", "expression": "星河"}).json()
    api.request("delete", f"/api/v1/brands/{brand['id']}")

    edited = api.patch(f"/api/v1/brands/{brand['id']}", {"expression": "星河 OR 银河"})
    restored = api.post(f"/api/v1/brands/{brand['id']}/restore")
    (matched,) = post(api, item, 1, text="星河")

    assert edited.status_code == 409 and edited.json()["error"]["code"] == "archived"
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert matched["matched_brands"] == [brand["id"]]


def test_an_archived_name_is_free_and_restoring_into_a_clash_is_409(alpha):
    api = admin(alpha)
    old = api.post("/api/v1/rules", {"name": "recall", "expression": "召回"}).json()
    api.request("delete", f"/api/v1/rules/{old['id']}")

    new = api.post("/api/v1/rules", {"name": "recall", "expression": "召回 OR recall"})
    clash = api.post(f"/api/v1/rules/{old['id']}/restore")

    assert new.status_code == 201
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "name"
    assert {r["id"] for r in api.get("/api/v1/rules?archived=true").json()["results"]} == {old["id"], new.json()["id"]}


def test_graphql_lists_archived_items_on_request_and_restores(alpha):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "星河", "expression": "星河"}).json()

    api.graphql(f"mutation {{ deleteBrand(id: {brand['id']}) }}")
    live = nodes(api.graphql("{ brands { edges { node { id } } } }").json()["data"]["brands"])
    every = nodes(
        api.graphql("{ brands(archived: true) { edges { node { id archivedAt } } } }").json()["data"]["brands"]
    )
    restored = api.graphql(f"mutation {{ restoreBrand(id: {brand['id']}) {{ archivedAt }} }}").json()["data"]

    assert live == []
    assert int(every[0]["id"]) == brand["id"] and every[0]["archivedAt"] is not None
    assert restored == {"restoreBrand": {"archivedAt": None}}


def test_an_archived_channel_gets_no_deliveries_and_its_log_stays(alpha):
    with in_tenant("alpha"):
        channel = channel_create(actor=SYSTEM, name="ops", kind="email", emails=["ops@alpha.example"])
        (pending,) = notify(event_type="alert.opened", data={}, title="Alert", text="Up.")
    api = admin(alpha)

    deleted = api.request("delete", f"/api/v1/notification-channels/{channel.pk}")
    with in_tenant("alpha"):
        later = notify(event_type="alert.opened", data={}, title="Alert", text="Up again.")
        kept = Delivery.objects.get(pk=pending.pk)
    tested = api.post(f"/api/v1/notification-channels/{channel.pk}/test")

    assert deleted.status_code == 204
    assert later == []
    assert kept.status == DeliveryStatus.FAILED and kept.next_attempt_at is None
    assert api.get(f"/api/v1/notification-channels/{channel.pk}/deliveries").json()["results"][0]["id"] == pending.pk
    assert tested.status_code == 409 and tested.json()["error"]["code"] == "archived"
    assert api.get("/api/v1/notification-channels").json()["results"] == []
    with in_tenant("alpha"):
        assert NotificationChannel.objects.get(pk=channel.pk).archived_at is not None


def test_a_bad_archived_flag_is_400_naming_it(alpha):
    response = admin(alpha).get("/api/v1/rules?archived=maybe")

    assert response.status_code == 400 and response.json()["error"]["field"] == "archived"


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/rules", "viewer"),
        ("/api/v1/brands", "responder"),
        (POLICIES, "viewer"),
        ("/api/v1/notification-channels", "analyst"),
        ("/api/v1/playbooks", "analyst"),
    ],
)
def test_roles_without_manage_cannot_archive_or_restore_and_nothing_changes(alpha, make_key, path, role):
    api = admin(alpha)
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/rules": {"name": "r", "expression": "召回"},
        "/api/v1/brands": {"name": "b", "expression": "星河"},
        POLICIES: VOLUME_POLICY,
        "/api/v1/notification-channels": {"name": "c", "kind": "email", "emails": ["ops@alpha.example"]},
        "/api/v1/playbooks": {"name": "p", "scenario": "other"},
    }
    live = api.post(path, bodies[path]).json()
    archived = api.post(path, {**bodies[path], "name": "gone"}).json()
    api.request("delete", f"{path}/{archived['id']}")
    _key, raw = make_key("alpha", role)
    other = Api("alpha", auth=key_auth(raw))

    deleted = other.request("delete", f"{path}/{live['id']}")
    restored = other.post(f"{path}/{archived['id']}/restore")

    assert [deleted.status_code, restored.status_code] == [403, 403]
    assert api.get(f"{path}/{live['id']}").json()["archived_at"] is None
    assert api.get(f"{path}/{archived['id']}").json()["archived_at"] is not None


def test_other_tenants_cannot_archive_or_restore(alpha, beta):
    rule = admin(alpha).post("/api/v1/rules", {"name": "r", "expression": "召回"}).json()
    gone = admin(alpha).post("/api/v1/rules", {"name": "gone", "expression": "召回"}).json()
    admin(alpha).request("delete", f"/api/v1/rules/{gone['id']}")
    other = admin(beta)

    deleted = other.request("delete", f"/api/v1/rules/{rule['id']}")
    restored = other.post(f"/api/v1/rules/{gone['id']}/restore")
    gql = other.graphql(f"mutation {{ restoreRule(id: {gone['id']}) {{ id }} }}").json()
    listed = other.get("/api/v1/rules?archived=true").json()["results"]

    assert [deleted.status_code, restored.status_code] == [404, 404]
    assert gql["errors"][0]["extensions"]["code"] == "not_found"
    assert listed == []
    with in_tenant("alpha"):
        assert MonitoringRule.objects.get(pk=rule["id"]).archived_at is None
        assert MonitoringRule.objects.get(pk=gone["id"]).archived_at is not None
