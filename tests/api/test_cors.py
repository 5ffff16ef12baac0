"""CORS for browser frontends: only origins on VIGIL_CORS_ALLOWED_ORIGINS may call the APIs."""

from typing import Any

import pytest

from tests.conftest import Api, key_auth

FRONTEND = "https://app.agency.example"


@pytest.fixture
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]
    return FRONTEND


def preflight(origin: str, path: str = "/api/v1/mentions/batch") -> Any:
    return Api(None).request(
        "options",
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-tenant, idempotency-key",
        },
    )


def test_preflight_from_an_allowed_origin_allows_the_api_headers(allowed_origin):
    response = preflight(allowed_origin)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == allowed_origin
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = {name.strip() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-tenant", "idempotency-key"} <= allowed
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_from_another_origin_gets_no_cors_headers(allowed_origin):
    response = preflight("https://evil.example")

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Headers" not in response.headers


def test_no_origin_is_allowed_by_default():
    response = preflight(FRONTEND)

    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_real_request_from_an_allowed_origin_may_read_the_response(allowed_origin, make_key):
    _, raw = make_key("alpha")

    response = Api("alpha", auth=key_auth(raw)).get("/api/v1/me", headers={"Origin": allowed_origin})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == allowed_origin
