"""Tenant resolution by host and by header fails closed: unknown tenants are 404s, never the public schema."""

from tests.conftest import Api, key_auth


def test_tenant_is_resolved_by_host(alpha):
    response = Api("alpha", by_host=True, auth=key_auth(alpha.api_key)).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["tenant"] == {"slug": "alpha", "name": "Alpha PR"}


def test_tenant_is_resolved_by_header(alpha):
    response = Api("alpha", auth=key_auth(alpha.api_key)).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["tenant"]["slug"] == "alpha"


def test_unknown_header_tenant_is_404_in_error_shape(alpha):
    response = Api("nobody", auth=key_auth(alpha.api_key)).get("/api/v1/me")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "tenant_not_found", "message": "No tenant 'nobody'.", "field": "X-Tenant"}
    }


def test_unknown_host_is_404_not_public_schema(alpha):
    response = Api("nobody", by_host=True).get("/healthz")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"
    assert response.json()["error"]["field"] == "Host"


def test_header_naming_another_tenant_than_the_host_is_refused(alpha, beta):
    response = Api("alpha", by_host=True, auth=key_auth(alpha.api_key)).get("/api/v1/me", headers={"X-Tenant": "beta"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"


def test_public_host_does_not_serve_tenant_routes(alpha):
    response = Api(None, auth=key_auth(alpha.api_key)).get("/api/v1/users")

    assert response.status_code == 404


def test_inactive_tenant_is_not_reachable(alpha):
    from tenants.models import Tenant

    Tenant.objects.filter(slug="alpha").update(is_active=False)

    response = Api("alpha", auth=key_auth(alpha.api_key)).get("/api/v1/me")

    assert response.status_code == 404
