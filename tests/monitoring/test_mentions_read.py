"""Listing stored mentions: filters, cursor pagination, the analysis on each item, both faces."""

from datetime import timedelta

from django.utils import timezone

from tests.conftest import Api, key_auth, nodes


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def seed(api, item, n=5):
    now = timezone.now()
    items = [
        item(
            external_id=f"l{i}",
            published_at=(now - timedelta(minutes=10 * i)).isoformat(),
            platform="weibo" if i % 2 else "douyin",
            text=["服务很好我很满意", "太差了我要投诉"][i % 2],
        )
        for i in range(n)
    ]
    assert api.post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == n


def test_list_is_newest_first_with_cursor_pages(alpha, item):
    api = admin(alpha)
    seed(api, item)

    first = api.get("/api/v1/mentions?page_size=2").json()
    second = api.get(f"/api/v1/mentions?page_size=2&cursor={first['next_cursor']}").json()
    third = api.get(f"/api/v1/mentions?page_size=2&cursor={second['next_cursor']}").json()

    ids = [m["external_id"] for page in (first, second, third) for m in page["results"]]
    assert ids == ["l0", "l1", "l2", "l3", "l4"]
    assert third["next_cursor"] is None


def test_items_carry_their_analysis(alpha, item):
    api = admin(alpha)
    seed(api, item, 2)

    mention = api.get("/api/v1/mentions?external_id=l1").json()["results"][0]

    assert mention["sentiment"]["label"] == "negative"
    assert 0 < mention["sentiment"]["score"] <= 1
    assert mention["emotion"]["label"] in {"angry", "fear", "happy", "neutral", "sad", "surprise"}
    assert mention["language"] == "zh" and mention["script"] == "hans"
    assert mention["metrics"] == {"likes": 1, "reposts": 2, "comments": 3, "views": 40}
    assert mention["engagement"] == 6


def test_filters(alpha, item):
    api = admin(alpha)
    seed(api, item)

    douyin = api.get("/api/v1/mentions?platform=douyin").json()["results"]
    negative = api.get("/api/v1/mentions?sentiment=negative").json()["results"]
    graphql = api.graphql(
        "{ mentions(filter: {platform: [DOUYIN], sentiment: [POSITIVE]}) { edges { node { externalId } } } }"
    )
    bad = api.get("/api/v1/mentions?platform=myspace")

    assert {m["external_id"] for m in douyin} == {"l0", "l2", "l4"}
    assert {m["external_id"] for m in negative} == {"l1", "l3"}
    assert {m["externalId"] for m in nodes(graphql.json()["data"]["mentions"])} == {"l0", "l2", "l4"}
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "platform"


def test_bad_cursor_is_400(alpha):
    response = admin(alpha).get("/api/v1/mentions?cursor=garbage")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
