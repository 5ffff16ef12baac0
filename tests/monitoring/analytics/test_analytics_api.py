"""GET /api/v1/analytics/forecast and /analytics/key-nodes, and GraphQL analyticsForecast and analyticsKeyNodes: a
scope's volume and where it is heading, and who carried its spread, the same on both faces."""

from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from tests.conftest import Api, key_auth
from tests.monitoring.cascades.test_cascade_api import ingest_tree


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def ingest_hours(api, item, counts, text="这家店的服务还不错"):
    """counts[k] mentions in the k-th of the last len(counts) whole hours (the last one just ended)."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    items = []
    for k, n in enumerate(counts):
        hour = now - timedelta(hours=len(counts) - k)
        items += [item(text=text, published_at=(hour + timedelta(minutes=1 + j % 50)).isoformat()) for j in range(n)]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == len(items)


def test_a_surge_shows_in_the_history_and_rises_in_the_forecast_on_both_faces(alpha, item):
    api = admin(alpha)
    quiet = [1, 0, 2, 1, 1, 0, 1, 2, 1, 1, 0, 1]
    ingest_hours(api, item, [*quiet, 6, 14, 30, 60])

    rest = api.get("/api/v1/analytics/forecast?scope=tenant&interval=1h&horizon=6h")
    graphql = api.graphql(
        '{ analyticsForecast(scope: "tenant", interval: "1h", horizon: "6h") '
        "{ trend history { mentions } forecast { mean low high } } }"
    ).json()["data"]["analyticsForecast"]

    body = rest.json()
    assert rest.status_code == 200, body
    assert len(body["history"]) == 168 and len(body["forecast"]) == 6
    assert [p["mentions"] for p in body["history"][-16:]] == [*quiet, 6, 14, 30, 60]
    assert body["trend"] == "rising"
    assert body["forecast"][0]["mean"] > 60
    assert all(p["low"] <= p["mean"] <= p["high"] for p in body["forecast"])
    assert graphql["trend"] == "rising"
    assert [p["mentions"] for p in graphql["history"]] == [p["mentions"] for p in body["history"]]
    assert [p["mean"] for p in graphql["forecast"]] == [p["mean"] for p in body["forecast"]]


def test_a_brand_s_forecast_counts_only_its_mentions_and_a_case_its_brands(alpha, item):
    api = admin(alpha)
    brand = api.post("/api/v1/brands", {"name": "奶茶星球", "expression": "奶茶星球"}).json()
    ingest_hours(api, item, [2, 3, 4], text="奶茶星球的奶茶有问题")
    ingest_hours(api, item, [5, 5, 5])
    case = api.post("/api/v1/cases", {"title": "奶茶", "brand_ids": [brand["id"]], "activate_playbook": False}).json()

    by_brand = api.get(f"/api/v1/analytics/forecast?scope=brand:{brand['id']}").json()
    by_case = api.get(f"/api/v1/analytics/forecast?scope=case:{case['id']}").json()
    tenant = api.get("/api/v1/analytics/forecast?scope=tenant").json()

    assert [p["mentions"] for p in by_brand["history"][-3:]] == [2, 3, 4]
    assert [p["mentions"] for p in by_case["history"][-3:]] == [2, 3, 4]
    assert [p["mentions"] for p in tenant["history"][-3:]] == [7, 8, 9]


def test_bad_analytics_input_is_a_400_or_404_naming_the_field(alpha):
    api = admin(alpha)

    cases = {
        "scope=nowhere": (400, "scope"),
        "scope=brand:abc": (400, "scope"),
        f"scope=brand:{2**63}": (400, "scope"),
        "scope=brand:999999": (404, "scope"),
        "scope=case:999999": (404, "scope"),
        "scope=tenant&interval=7x": (400, "interval"),
        "scope=tenant&interval=1m&horizon=1d": (400, "horizon"),
        "scope=tenant&interval=1m&horizon=1h&since=2020-01-01T00:00:00Z": (400, "since"),
        f"scope=tenant&since={quote(timezone.now().isoformat())}&until=2020-01-01T00:00:00Z": (400, "since"),
    }
    answers = {query: api.get(f"/api/v1/analytics/forecast?{query}") for query in cases}
    key_nodes = api.get("/api/v1/analytics/key-nodes?scope=rule:999999")
    missing = api.get("/api/v1/analytics/key-nodes")

    assert {q: (r.status_code, r.json()["error"]["field"]) for q, r in answers.items()} == cases
    assert key_nodes.status_code == 404 and key_nodes.json()["error"]["field"] == "scope"
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "scope"


def test_the_author_everyone_reposted_leads_the_key_nodes_on_both_faces(alpha, item):
    api = admin(alpha)
    ingest_tree(api, item, prefix="kn")

    rest = api.get("/api/v1/analytics/key-nodes?scope=tenant").json()
    graphql = api.graphql(
        '{ analyticsKeyNodes(scope: "tenant") { nodes keyNodes { authorExternalId score reason } } }'
    ).json()["data"]["analyticsKeyNodes"]

    assert rest["nodes"] == graphql["nodes"] == 7
    assert rest["key_nodes"][0]["author_external_id"] == "knu-src"
    assert rest["key_nodes"][0]["subtree_size"] == 5 and rest["key_nodes"][0]["reason"]
    assert [k["authorExternalId"] for k in graphql["keyNodes"]] == [k["author_external_id"] for k in rest["key_nodes"]]


def test_a_case_s_key_nodes_are_its_evidence_and_what_spread_from_it(alpha, item):
    api = admin(alpha)
    _, ids = ingest_tree(api, item, prefix="ce")
    ingest_tree(api, item, prefix="other")
    case = api.post(
        "/api/v1/cases", {"title": "Spread", "evidence_ids": [ids["cea"]], "activate_playbook": False}
    ).json()

    body = api.get(f"/api/v1/analytics/key-nodes?scope=case:{case['id']}").json()

    # a, reposted by c and d; c by e.
    assert body["nodes"] == 4
    assert body["key_nodes"][0]["author_external_id"] == "ceu-a"


def test_another_tenant_s_scope_and_mentions_stay_out_of_sight(alpha, beta, item):
    api = admin(alpha)
    ingest_tree(api, item, prefix="iso")
    ingest_hours(api, item, [3, 3])
    case = api.post("/api/v1/cases", {"title": "Alpha only", "activate_playbook": False}).json()
    other = admin(beta)

    key_nodes = other.get("/api/v1/analytics/key-nodes?scope=tenant").json()
    forecast = other.get("/api/v1/analytics/forecast?scope=tenant").json()
    their_case = other.graphql(f'{{ analyticsForecast(scope: "case:{case["id"]}") {{ trend }} }}').json()

    assert key_nodes["nodes"] == 0 and key_nodes["key_nodes"] == []
    assert sum(p["mentions"] for p in forecast["history"]) == 0
    assert their_case["errors"][0]["extensions"]["code"] == "not_found"


def test_every_tenant_role_reads_analytics_and_anonymous_callers_do_not(alpha, make_user, login):
    make_user(alpha.slug, "viewer", "analytics-viewer@alpha.example")
    viewer = Api(alpha.slug, auth=login(alpha.slug, "analytics-viewer@alpha.example"))

    assert viewer.get("/api/v1/analytics/forecast?scope=tenant").status_code == 200
    assert viewer.get("/api/v1/analytics/key-nodes?scope=tenant").status_code == 200
    assert Api(alpha.slug).get("/api/v1/analytics/forecast?scope=tenant").status_code == 401
    assert Api(alpha.slug).get("/api/v1/analytics/key-nodes?scope=tenant").status_code == 401
