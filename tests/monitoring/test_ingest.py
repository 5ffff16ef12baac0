"""Mention ingestion through REST and GraphQL: per-item validation, idempotent re-sends, limits, isolation."""

import json
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention, SearchOutbox
from tenants.models import Tenant
from tests.conftest import Api, key_auth

BATCH = "/api/v1/mentions/batch"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def stored(slug: str) -> list[Mention]:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return list(Mention.objects.select_related("author").order_by("id"))


def test_batch_stores_mentions_with_their_analysis(alpha, item):
    response = admin(alpha).post(
        BATCH,
        {
            "mentions": [
                item(external_id="a1", text="垃圾产品，质量太差了，我要投诉退款！"),
                item(external_id="a2", text="臺北的颱風災害很嚴重", platform="zhihu"),
            ]
        },
    )

    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    first, second = stored("alpha")
    assert (first.external_id, first.sentiment, first.language) == ("a1", "negative", "zh")
    assert first.author is not None and first.author.name == "小王"
    assert second.text == "臺北的颱風災害很嚴重"
    assert second.analysis_text == "台北的台风灾害很严重"
    assert second.script == "hant"
    assert {"台北", "台风"} <= set(second.tokens.split())


def test_resending_is_idempotent_and_updates_only_what_changed(alpha, item):
    one, two = item(external_id="r1"), item(external_id="r2")
    api = admin(alpha)
    api.post(BATCH, {"mentions": [one, two]})

    again = api.post(BATCH, {"mentions": [one, two]})
    two["metrics"] = {"likes": 99, "reposts": 2, "comments": 3, "views": 40}
    edited = api.post(BATCH, {"mentions": [one, two]})

    assert again.json()["unchanged"] == 2 and again.json()["accepted"] == 0
    assert edited.json() == {"accepted": 0, "updated": 1, "unchanged": 1, "rejected": 0, "errors": []}
    assert [m.likes for m in stored("alpha")] == [1, 99]
    with tenant_context(Tenant.objects.get(slug="alpha")):
        # Two new mentions and one update each left one outbox row for the search index.
        assert SearchOutbox.objects.count() == 3


def test_invalid_items_are_reported_and_valid_ones_stored(alpha, item):
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = admin(alpha).post(
        BATCH,
        {
            "mentions": [
                item(external_id="ok1"),
                item(platform="myspace"),
                item(text="   "),
                item(published_at=future),
                item(external_id="x" * 129),
                item(published_at="yesterday"),
                item(metrics={"likes": -1}),
                item(relation="repost"),
                "not an object",
                item(external_id="ok1"),
            ]
        },
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["rejected"]) == (1, 9)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "platform"),
        (2, "text"),
        (3, "published_at"),
        (4, "external_id"),
        (5, "published_at"),
        (6, "metrics.likes"),
        (7, "parent_external_id"),
        (8, ""),
        (9, "external_id"),
    ]
    assert body["errors"][0]["message"].startswith("Unknown platform 'myspace'")
    assert body["errors"][2]["message"].endswith("is in the future.")
    assert body["errors"][3]["message"] == "At most 128 characters allowed; got 129."
    assert body["errors"][8]["message"] == "Duplicate of item 0 in this batch (weibo:ok1)."
    assert [m.external_id for m in stored("alpha")] == ["ok1"]


def test_a_plain_repost_may_have_no_text(alpha, item):
    response = admin(alpha).post(
        BATCH,
        {
            "mentions": [
                item(external_id="p"),
                item(external_id="c", text="", relation="repost", parent_external_id="p"),
            ]
        },
    )

    assert response.json()["accepted"] == 2
    assert stored("alpha")[1].parent_external_id == "p"


def test_broken_unicode_in_ndjson_is_rejected_per_line(alpha, item):
    lines = [
        json.dumps(item(external_id="good")).encode(),
        b'{"platform": "weibo", "external_id": "bad", "text": "\\ud800 oops", "published_at": "2024-01-01T00:00:00Z"}',
        b"\xff\xfe not utf-8",
        b'{"broken json',
    ]
    response = admin(alpha).post(BATCH, raw=b"\n".join(lines), headers={"Content-Type": "application/x-ndjson"})

    body = response.json()
    assert response.status_code == 200
    assert body["accepted"] == 1
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "text"), (2, ""), (3, "")]
    assert "lone surrogate" in body["errors"][0]["message"]
    assert body["errors"][1]["message"].startswith("Line is not valid UTF-8")


def test_a_batch_with_no_valid_item_is_400_and_writes_nothing(alpha, item):
    response = admin(alpha).post(BATCH, {"mentions": [item(text=""), item(platform="nope")]})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "mentions[0].text"
    assert [d["field"] for d in response.json()["error"]["details"]] == ["mentions[0].text", "mentions[1].platform"]
    assert stored("alpha") == []


def test_limits_give_413(alpha, item, settings):
    settings.INGEST_MAX_ITEMS = 2
    too_many = admin(alpha).post(BATCH, {"mentions": [item(), item(), item()]})
    settings.INGEST_MAX_ITEMS = 100
    settings.INGEST_MAX_BYTES = 200
    too_big = admin(alpha).post(BATCH, {"mentions": [item(text="长" * 300)]})

    assert too_many.status_code == 413
    assert too_many.json()["error"] == {
        "code": "payload_too_large",
        "field": "mentions",
        "message": "Batch has 3 mentions; the limit is 2 per request.",
    }
    assert too_big.status_code == 413
    assert too_big.json()["error"]["field"] == "body"
    assert stored("alpha") == []


def test_wrong_shape_and_content_type(alpha):
    shape = admin(alpha).post(BATCH, {"items": []})
    media = admin(alpha).post(BATCH, raw=b"a,b", headers={"Content-Type": "text/csv"})

    assert shape.status_code == 400 and shape.json()["error"]["field"] == "mentions"
    assert media.status_code == 415


def test_viewer_cannot_ingest_and_nothing_is_written(alpha, item, make_key):
    _key, raw = make_key("alpha", "viewer")

    response = Api("alpha", auth=key_auth(raw)).post(BATCH, {"mentions": [item()]})

    assert response.status_code == 403
    assert stored("alpha") == []


def test_ingest_over_graphql_uses_the_same_validation(alpha, item):
    mutation = "mutation($m: [JSON!]!) { ingestMentions(mentions: $m) { accepted rejected errors { index field } } }"

    response = admin(alpha).graphql(mutation, {"m": [item(external_id="g1"), item(platform="nope")]})

    assert response.json()["data"]["ingestMentions"] == {
        "accepted": 1,
        "rejected": 1,
        "errors": [{"index": 1, "field": "platform"}],
    }


def test_tenants_never_see_each_others_mentions(alpha, beta, item):
    admin(alpha).post(BATCH, {"mentions": [item(external_id="secret")]})

    rest = admin(beta).get("/api/v1/mentions?external_id=secret")
    graphql = admin(beta).graphql('{ mentions(filter: {externalId: "secret"}) { edges { node { id } } } }')
    alpha_view = admin(alpha).get("/api/v1/mentions?external_id=secret")

    assert rest.json()["results"] == []
    assert graphql.json()["data"]["mentions"]["edges"] == []
    assert len(alpha_view.json()["results"]) == 1
    assert stored("beta") == []
