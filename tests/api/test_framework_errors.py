"""Errors the frameworks raise (wrong method, unknown host, content negotiation) come in the one JSON error shape."""

import pytest
from django.test import Client

from tests.conftest import Api, key_auth


def admin(alpha) -> Api:
    return Api("alpha", auth=key_auth(alpha.api_key))


def test_options_on_healthz_is_405_with_allow_header(db):
    response = Client().options("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"] == {
        "code": "method_not_allowed",
        "message": 'Method "OPTIONS" not allowed.',
        "field": None,
    }


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("put", "/api/v1/rules/1", "GET, PATCH, DELETE, HEAD"),
        ("trace", "/api/v1/alerts", "GET, HEAD"),
        ("options", "/api/v1/mentions/batch", "POST"),
        ("delete", "/api/v1/me", "GET, HEAD"),
        ("patch", "/api/v1/auth/token", "POST"),
    ],
)
def test_unsupported_method_is_405_naming_what_is_allowed(alpha, method, path, allow):
    response = admin(alpha).request(method, path)

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unsupported_method_before_authentication_is_still_405(alpha):
    response = Api("alpha").request("put", "/api/v1/rules")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_django_view_405_is_json(alpha):
    response = admin(alpha).request("put", "/graphql/", {"query": "{ me { role } }"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"] == {
        "code": "method_not_allowed",
        "message": "GraphQL only supports GET and POST requests.",
        "field": None,
    }


def test_unknown_host_is_400_bad_host_in_the_error_shape(db):
    response = Client().get("/healthz", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {
        "code": "bad_host",
        "message": "Host 'attacker.example' is not served here.",
        "field": "Host",
    }


def test_unknown_host_with_tenant_header_is_400_bad_host(alpha):
    response = Client().get("/api/v1/me", HTTP_HOST="attacker.example", headers={"X-Tenant": "alpha"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_host"


def test_unacceptable_accept_header_is_406_json(alpha):
    response = admin(alpha).get("/api/v1/rules", headers={"Accept": "application/xml"})

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_unsupported_content_type_is_415_json(alpha):
    response = Api("alpha", auth=key_auth(alpha.api_key)).client.post(
        "/api/v1/rules",
        data="name=x",
        content_type="text/plain",
        headers={"X-Tenant": "alpha", "Authorization": key_auth(alpha.api_key)},
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_unknown_route_is_404_json(alpha):
    response = admin(alpha).get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
