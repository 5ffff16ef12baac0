"""Search on the real Elasticsearch: Simplified/Traditional queries, phrases, filters, highlights, paging,
aggregations, tenant isolation."""

import base64
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import Api, key_auth

SEARCH = "/api/v1/mentions/search"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


@pytest.fixture
def corpus(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    now = timezone.now()
    texts = [
        ("s1", "臺北颱風災害造成停電", "weibo", 10, 50),
        ("s2", "台风过后台北市区积水严重", "douyin", 20, 5),
        ("s3", "这款手机质量太差，我要投诉", "weibo", 30, 500),
        ("s4", "手机质量不错，很满意", "zhihu", 40, 1),
        ("s5", "The phone battery exploded, lawsuit coming", "x", 50, 80),
    ]
    items = [
        item(
            external_id=eid,
            text=text,
            platform=platform,
            published_at=(now - timedelta(minutes=minutes)).isoformat(),
            metrics={"likes": likes, "reposts": 0, "comments": 0, "views": 0},
            author={"external_id": f"a-{eid}", "name": f"作者{eid}", "followers": 10},
        )
        for eid, text, platform, minutes, likes in texts
    ]
    assert admin(alpha).post("/api/v1/mentions/batch", {"mentions": items}).json()["accepted"] == 5
    assert index_now("alpha") == 5
    return admin(alpha)


def ids(response) -> list[str]:
    return [m["external_id"] for m in response.json()["results"]]


def test_simplified_and_traditional_queries_find_both_scripts(corpus):
    simplified = corpus.get(f"{SEARCH}?q=台风&sort=time")
    traditional = corpus.get(f"{SEARCH}?q=颱風&sort=time")

    assert ids(simplified) == ["s1", "s2"]
    assert ids(traditional) == ["s1", "s2"]


def test_highlights_are_in_the_original_text(corpus):
    hit = corpus.get(f"{SEARCH}?q=台风").json()["results"]
    original = next(h for h in hit if h["external_id"] == "s1")

    assert original["text"] == "臺北颱風災害造成停電"
    assert any("<em>颱風</em>" in fragment for fragment in original["highlights"])


def test_phrase_search(corpus):
    assert ids(corpus.get(f'{SEARCH}?q="质量太差"')) == ["s3"]
    assert ids(corpus.get(f'{SEARCH}?q="battery exploded"')) == ["s5"]


def test_filters_and_sorts(corpus):
    weibo = corpus.get(f"{SEARCH}?q=手机&platform=weibo")
    negative = corpus.get(f"{SEARCH}?sentiment=negative&sort=time")
    engaged = corpus.get(f"{SEARCH}?min_engagement=50&sort=engagement")
    author = corpus.get(f"{SEARCH}?author=作者s4")

    assert ids(weibo) == ["s3"]
    assert "s3" in ids(negative) and "s4" not in ids(negative)
    assert ids(engaged) == ["s3", "s5", "s1"]
    assert ids(author) == ["s4"]


def test_search_after_paging_walks_everything_once(corpus):
    seen: list[str] = []
    cursor = ""
    while True:
        page = corpus.get(f"{SEARCH}?sort=time&page_size=2&cursor={cursor}").json()
        seen += [m["external_id"] for m in page["results"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]

    assert seen == ["s1", "s2", "s3", "s4", "s5"]


def test_search_pages_back_with_previous_cursor_in_the_list_envelope(corpus):
    first = corpus.get(f"{SEARCH}?sort=time&page_size=2").json()
    second = corpus.get(f"{SEARCH}?sort=time&page_size=2&cursor={first['next_cursor']}").json()
    back = corpus.get(f"{SEARCH}?sort=time&page_size=2&cursor={second['previous_cursor']}").json()

    assert first["previous_cursor"] is None
    assert [m["external_id"] for m in second["results"]] == ["s3", "s4"]
    assert [m["external_id"] for m in back["results"]] == ["s1", "s2"]
    assert back["previous_cursor"] is None and back["next_cursor"] is not None
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", m["published_at"]) for m in back["results"])


def test_aggregations_in_the_same_call(corpus):
    body = corpus.get(f"{SEARCH}?aggs=volume,sentiment,emotion,authors,platforms,terms&interval=1h").json()
    aggs = body["aggregations"]

    assert body["count"] == 5
    assert sum(bucket["count"] for bucket in aggs["volume"]) == 5
    assert sum(b["negative"] + b["neutral"] + b["positive"] for b in aggs["sentiment"]) == 5
    emotions = ("angry", "fear", "happy", "neutral", "sad", "surprise")
    # Four of the five are Chinese, so classified by emotion; the English one counts in no emotion.
    assert sum(sum(b[e] for e in emotions) for b in aggs["emotion"]) == 4
    assert sum(b["count"] for b in aggs["emotion"]) == 5
    assert {p["platform"]: p["count"] for p in aggs["platforms"]} == {"weibo": 2, "douyin": 1, "zhihu": 1, "x": 1}
    assert aggs["authors"][0] == {
        "author_id": "a-s3",
        "name": "作者s3",
        "platform": "weibo",
        "followers": 10,
        "verified": False,
        "count": 1,
        "engagement": 500,
    }
    assert {"term": "手机", "count": 2} in aggs["terms"]


def test_graphql_search(corpus):
    response = corpus.graphql(
        '{ searchMentions(q: "颱風", sort: TIME, aggregations: [PLATFORMS]) { totalCount aggregations '
        "edges { cursor score highlights node { externalId platform author { name } } } pageInfo { hasNextPage } } }"
    )

    data = response.json()["data"]["searchMentions"]
    assert data["totalCount"] == 2
    assert [e["node"]["externalId"] for e in data["edges"]] == ["s1", "s2"]
    assert data["edges"][0]["node"] == {"externalId": "s1", "platform": "WEIBO", "author": {"name": "作者s1"}}
    assert "<em>颱風</em>" in data["edges"][0]["highlights"][0]
    assert data["pageInfo"]["hasNextPage"] is False
    assert {p["platform"] for p in data["aggregations"]["platforms"]} == {"weibo", "douyin"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("aggs=volume,bogus", "aggs"),
        ("interval=7weeks", "interval"),
        ("sort=random", "sort"),
        ("cursor=!!!", "cursor"),
        ('q="unbalanced', "q"),
        ("page_size=1000", "page_size"),
        ("platform=myspace", "platform"),
    ],
)
def test_bad_search_parameters_are_400_naming_the_field(corpus, query, field):
    response = corpus.get(f"{SEARCH}?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["field"].startswith(field)


def test_other_tenant_search_never_returns_alpha_mentions(corpus, beta, fresh_index):
    fresh_index("beta")

    response = admin(beta).get(f"{SEARCH}?q=台风")
    graphql = admin(beta).graphql('{ searchMentions(q: "台风") { totalCount } }')

    assert response.json()["count"] == 0
    assert graphql.json()["data"]["searchMentions"]["totalCount"] == 0


def test_brand_names_are_searched_as_the_documents_were_segmented(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    api = admin(alpha)
    api.post("/api/v1/brands", {"name": "蔚来", "expression": "蔚来ES8", "keywords": ["蔚来ES8"]})
    api.post("/api/v1/mentions/batch", {"mentions": [item(external_id="b1", text="我的蔚来ES8刹车失灵了")]})
    index_now("alpha")

    assert ids(api.get(f"{SEARCH}?q=蔚来ES8")) == ["b1"]


@pytest.mark.parametrize(
    "values",
    [[None, None, None], ["x", 1, 2], [1.5, 2**63, 1], [1.0, 2], [True, 1, 2], {"a": 1}],
)
def test_a_forged_cursor_is_400_naming_cursor(corpus, values):
    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()

    response = corpus.get(f"{SEARCH}?q=手机&cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_a_cursor_from_another_sort_is_400(corpus):
    cursor = corpus.get(f"{SEARCH}?sort=time&page_size=1").json()["next_cursor"]

    response = corpus.get(f"{SEARCH}?q=手机&sort=relevance&cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_too_many_buckets_names_the_interval(corpus, alpha, item, index_now):
    old = item(published_at="2001-01-01T00:00:00Z")
    admin(alpha).post("/api/v1/mentions/batch", {"mentions": [old]})
    index_now("alpha")

    response = corpus.get(f"{SEARCH}?aggs=volume&interval=1m")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "interval"


def test_a_query_with_nothing_searchable_is_400_not_everything(corpus):
    response = corpus.get(f"{SEARCH}?q=%EF%BF%BD")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "The query has no searchable words.",
        "field": "q",
    }


def test_authors_without_names_are_told_apart_by_id(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    nameless = [
        item(external_id=f"nn{k}", text="转发微博", author={"external_id": f"uid-{k % 3}", "name": ""})
        for k in range(7)
    ]
    admin(alpha).post("/api/v1/mentions/batch", {"mentions": nameless})
    index_now("alpha")

    authors = admin(alpha).get(f"{SEARCH}?aggs=authors").json()["aggregations"]["authors"]

    assert [(a["author_id"], a["count"]) for a in authors] == [("uid-0", 3), ("uid-1", 2), ("uid-2", 2)]
    assert {a["name"] for a in authors} == {""}
