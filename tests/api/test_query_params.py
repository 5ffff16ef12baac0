"""Query parameters no filter can use (past bigint, 1e30, NUL, broken UTF-8, impossible offsets) are a 400 naming
the parameter on every list endpoint, never a 500."""

import pytest

from tests.conftest import Api, key_auth


def admin(alpha) -> Api:
    return Api("alpha", auth=key_auth(alpha.api_key))


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/mentions?rule=9223372036854775808", "rule"),
        ("/api/v1/mentions?brand=1e30", "brand"),
        ("/api/v1/mentions?rule=-4.36e%2B190", "rule"),
        ("/api/v1/mentions?page_size=99999999999999999999999", "page_size"),
        ("/api/v1/mentions?since=2020-01-01T00:00:00%2B16:00x", "since"),
        ("/api/v1/mentions?until=0001-01-01T00:00:00%2B14:00", "until"),
        ("/api/v1/mentions?external_id=" + "x" * 201, "external_id"),
        ("/api/v1/mentions/search?rule=9223372036854775808", "rule"),
        ("/api/v1/mentions/search?brand=1e30", "brand"),
        ("/api/v1/mentions/search?min_engagement=9223372036854775808", "min_engagement"),
        ("/api/v1/alerts?policy=9223372036854775808", "policy"),
        ("/api/v1/alerts?policy=1e30", "policy"),
        ("/api/v1/deliveries?channel=9223372036854775808", "channel"),
    ],
)
def test_out_of_range_filters_are_400_naming_the_parameter(alpha, path, field):
    response = admin(alpha).get(path)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] in (field, f"{field}.0")


def test_an_offset_past_what_postgresql_takes_is_converted_not_a_500(alpha):
    response = admin(alpha).get("/api/v1/mentions?since=2020-01-01T00:00:00%2B16:00")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/alerts?scope=a%00b",
        "/api/v1/cases?status=open%00",
        "/api/v1/mentions?author=a%00b",
        "/api/v1/reply-scripts?name=%00",
        "/api/v1/mentions/search?q=%00",
    ],
)
def test_nul_in_any_query_parameter_is_400_naming_it(alpha, path):
    name = path.split("?")[1].split("=")[0]

    response = admin(alpha).get(path)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_encoding",
        "message": f"Query parameter '{name}' contains a NUL character.",
        "field": name,
    }


def test_query_parameter_that_is_not_utf8_is_400_instead_of_matching_everything(alpha):
    response = admin(alpha).get("/api/v1/mentions/search?q=%ff")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_encoding",
        "message": "Query parameter 'q' is not valid UTF-8.",
        "field": "q",
    }


def test_version_numbers_past_the_column_are_400(alpha):
    response = admin(alpha).get("/api/v1/playbooks/1/diff?from=1&to=99999999999")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "to"


def test_valid_filters_still_work(alpha):
    assert admin(alpha).get("/api/v1/mentions?rule=1&brand=2&page_size=10").status_code == 200
    assert admin(alpha).get("/api/v1/alerts?policy=1&scope=tenant").status_code == 200
    assert admin(alpha).get("/api/v1/mentions?author=%E5%B0%8F%E7%8E%8B").status_code == 200
