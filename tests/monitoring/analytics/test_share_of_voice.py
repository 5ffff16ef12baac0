"""GET /api/v1/analytics/share-of-voice and GraphQL analyticsShareOfVoice: how much each of a tenant's brands is
talked about, how people feel about it, and the alerts and cases about it."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Alert, WarningPolicy
from tests.conftest import Api, key_auth, tenant_obj

SOV = "/api/v1/analytics/share-of-voice"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def brands_and_mentions(api, item):
    own = api.post("/api/v1/brands", {"name": "星河手机", "expression": "星河", "kind": "own"}).json()
    rival = api.post("/api/v1/brands", {"name": "银河手机", "expression": "银河", "kind": "competitor"}).json()
    at = (timezone.now() - timedelta(hours=3)).isoformat()
    texts = ["星河手机太棒了，非常满意"] * 2 + ["星河手机爆炸了，太可怕了"] * 4 + ["银河手机还不错"] * 2
    texts += ["星河和银河都一样"]
    items = [
        item(text=text, published_at=at, author={"external_id": f"sv{k % 4}", "name": "", "followers": 100 * (k % 4)})
        for k, text in enumerate(texts)
    ]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == len(items)
    return own, rival


def test_each_brand_s_voice_its_share_sentiment_and_reach_on_both_faces(alpha, item):
    api = admin(alpha)
    own, rival = brands_and_mentions(api, item)

    rest = api.get(f"{SOV}?brands={own['id']},{rival['id']}&interval=1h").json()
    graphql = api.graphql(
        'query($b: [Int!]) { analyticsShareOfVoice(brands: $b, interval: "1h") '
        "{ totalMentions brands { brandId mentions share netSentiment emotions { fear } } } }",
        {"b": [own["id"], rival["id"]]},
    ).json()["data"]["analyticsShareOfVoice"]

    by_id = {b["brand_id"]: b for b in rest["brands"]}
    mine, theirs = by_id[own["id"]], by_id[rival["id"]]
    assert rest["total_mentions"] == 10 and (mine["mentions"], theirs["mentions"]) == (7, 3)
    assert (mine["share"], theirs["share"]) == (0.7, 0.3)
    assert mine["kind"] == "own" and theirs["kind"] == "competitor"
    assert mine["negative"] > mine["positive"] and mine["net_sentiment"] < 0
    assert mine["positive"] + mine["neutral"] + mine["negative"] <= 7
    assert sum(mine["emotions"].values()) == 7
    assert mine["unique_authors"] == 4 and mine["reach"] == 0 + 100 + 200 + 300
    assert sum(p["mentions"] for p in mine["series"]) == 7
    assert [b["brandId"] for b in graphql["brands"]] == [b["brand_id"] for b in rest["brands"]]
    assert graphql["brands"][0]["share"] == rest["brands"][0]["share"]


def test_an_archived_brand_keeps_what_it_matched_while_active_and_gains_nothing_after(alpha, item):
    api = admin(alpha)
    _, rival = brands_and_mentions(api, item)
    api.delete(f"/api/v1/brands/{rival['id']}")
    api.post("/api/v1/mentions/batch", {"mentions": [item(text="银河手机又出新品了")]})

    body = api.get(SOV).json()

    theirs = next(b for b in body["brands"] if b["brand_id"] == rival["id"])
    assert theirs["archived"] is True and theirs["mentions"] == 3


def test_a_competitor_s_alerts_and_cases_come_with_its_voice(alpha, item):
    api = admin(alpha)
    _, rival = brands_and_mentions(api, item)
    with tenant_context(tenant_obj(alpha.slug)):
        now = timezone.now()
        Alert.objects.create(
            policy=WarningPolicy.objects.first() or WarningPolicy.objects.create(name="sov"),
            scope=f"brand:{rival['id']}",
            level="yellow",
            peak_level="orange",
            index_value=0.5,
            peak_index=0.7,
            indicators={},
            opened_at=now - timedelta(hours=2),
            last_evaluated_at=now,
        )
    case = api.post(
        "/api/v1/cases", {"title": "银河 recall", "brand_ids": [rival["id"]], "activate_playbook": False}
    ).json()

    theirs = next(b for b in api.get(SOV).json()["brands"] if b["brand_id"] == rival["id"])

    assert [(a["level"], a["peak_level"], a["status"]) for a in theirs["alerts"]] == [("yellow", "orange", "open")]
    assert [c["id"] for c in theirs["cases"]] == [case["id"]]


def test_bad_share_of_voice_input_names_the_field(alpha):
    api = admin(alpha)

    missing = api.get(f"{SOV}?brands=999999")
    nonsense = api.get(f"{SOV}?brands=abc")
    interval = api.get(f"{SOV}?interval=1m")
    window = api.get(f"{SOV}?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z")

    assert missing.status_code == 404 and missing.json()["error"]["field"] == "brands"
    assert nonsense.status_code == 400 and nonsense.json()["error"]["field"].startswith("brands")
    assert interval.status_code == 400 and interval.json()["error"]["field"] == "interval"
    assert window.status_code == 400 and window.json()["error"]["field"] == "since"


def test_another_tenant_sees_none_of_it_and_every_role_reads_it(alpha, beta, item, make_user, login):
    brands_and_mentions(admin(alpha), item)
    make_user(alpha.slug, "viewer", "sov-viewer@alpha.example")
    viewer = Api(alpha.slug, auth=login(alpha.slug, "sov-viewer@alpha.example"))

    theirs = admin(beta).get(SOV).json()

    assert theirs["total_mentions"] == 0
    assert viewer.get(SOV).json()["total_mentions"] == 10
    assert Api(alpha.slug).get(SOV).status_code == 401
