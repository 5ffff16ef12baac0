"""Mention batches with impossible dates or unparseable lines: a per-item error naming the field, the rest stored."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from monitoring.models import Mention
from tests.conftest import Api, key_auth, tenant_obj

BATCH = "/api/v1/mentions/batch"


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def stored(slug: str) -> set[str]:
    with tenant_context(tenant_obj(slug)):
        return set(Mention.objects.values_list("external_id", flat=True))


@pytest.mark.parametrize(
    ("published_at", "message"),
    [
        ("0001-01-01T00:00:00+14:00", "'0001-01-01T00:00:00+14:00' is before 2000-01-01."),
        ("0001-01-01T00:00:00Z", "'0001-01-01T00:00:00Z' is before 2000-01-01."),
        ("1999-12-31T23:59:59Z", "'1999-12-31T23:59:59Z' is before 2000-01-01."),
        ("2020-01-01T00:00:00+16:00", "'2020-01-01T00:00:00+16:00' has a UTC offset outside -12:00 to +14:00."),
        ("2020-01-01T00:00:00+22:19", "'2020-01-01T00:00:00+22:19' has a UTC offset outside -12:00 to +14:00."),
        ("2020-01-01T00:00:00-13:00", "'2020-01-01T00:00:00-13:00' has a UTC offset outside -12:00 to +14:00."),
        ("2020-02-30T00:00:00Z", "'2020-02-30T00:00:00Z' is not an ISO 8601 date-time."),
    ],
)
def test_impossible_dates_are_refused_per_item_and_the_rest_is_stored(alpha, item, published_at, message):
    bad, good = item(published_at=published_at), item()

    response = admin(alpha).post(BATCH, {"mentions": [bad, good]})

    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert response.json()["errors"] == [{"index": 0, "field": "published_at", "message": message}]
    assert stored("alpha") == {good["external_id"]}


def test_a_year_one_date_breaks_neither_reading_nor_indexing(alpha, item, fresh_index, index_now):
    fresh_index("alpha")
    bad = item(published_at="0001-01-01T00:00:00+14:00")
    admin(alpha).post(BATCH, {"mentions": [bad, item()]})

    response = admin(alpha).get(f"/api/v1/mentions?external_id={bad['external_id']}")

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert index_now("alpha") == 1


def test_a_date_is_stored_in_utc_whatever_its_offset(alpha, item):
    mention = item(published_at="2024-03-01T08:00:00+14:00")

    admin(alpha).post(BATCH, {"mentions": [mention]})

    read = admin(alpha).get(f"/api/v1/mentions?external_id={mention['external_id']}").json()["results"]
    assert read[0]["published_at"] == "2024-02-29T18:00:00.000000Z"


def test_date_window_follows_the_settings(alpha, item, settings):
    settings.INGEST_FUTURE_TOLERANCE_SECONDS = 3600
    soon = item(published_at=(timezone.now() + timedelta(minutes=30)).isoformat())
    later = item(published_at=(timezone.now() + timedelta(hours=2)).isoformat())

    response = admin(alpha).post(BATCH, {"mentions": [soon, later]})

    assert response.json()["accepted"] == 1
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "published_at")]
    assert "is in the future" in response.json()["errors"][0]["message"]


def test_a_list_where_a_relation_belongs_is_an_item_error(alpha, item):
    response = admin(alpha).post(BATCH, {"mentions": [item(relation=["repost"]), item()]})

    assert response.status_code == 200
    assert response.json()["errors"][0]["field"] == "relation"


def test_json_batch_nested_too_deep_is_400(alpha):
    body = b'{"mentions": [' + b"[" * 1000 + b"]" * 1000 + b"]}"

    response = admin(alpha).post(BATCH, raw=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deep"
    assert response.json()["error"]["field"] == "body"


def test_json_batch_with_a_huge_integer_is_400(alpha, item):
    body = '{"mentions": [{"metrics": {"likes": ' + "9" * 5000 + "}}]}"

    response = admin(alpha).post(BATCH, raw=body.encode())

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "number_out_of_range"


def test_ndjson_bad_lines_are_item_errors_and_good_lines_are_stored(alpha, item):
    good = item()
    lines = [
        "[" * 1000 + "]" * 1000,
        '{"platform": "weibo", "metrics": {"likes": ' + "9" * 5000 + "}}",
        '{"platform": "weibo", "score": NaN}',
        json.dumps(good),
    ]

    response = admin(alpha).post(BATCH, raw="\n".join(lines).encode(), headers={"Content-Type": "application/x-ndjson"})

    body = response.json()
    assert response.status_code == 200
    assert body["accepted"] == 1
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, ""), (1, ""), (2, "")]
    assert body["errors"][0]["message"] == "JSON is nested more than 64 levels deep."
    assert body["errors"][1]["message"] == "A number has 5000 digits; integers must fit in 64 bits."
    assert body["errors"][2]["message"] == "NaN is not valid JSON."
    assert stored("alpha") == {good["external_id"]}
