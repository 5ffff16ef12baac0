"""A user or key of tenant A gets nothing from tenant B, through REST and GraphQL, by host and by header."""

import pytest
from django_tenants.utils import tenant_context

from tenants.identity.models import ApiKey, User
from tenants.models import Tenant
from tests.conftest import Api, key_auth, nodes

ME = "{ me { kind role tenant { slug } } }"


@pytest.mark.parametrize("by_host", [False, True])
def test_alpha_api_key_is_refused_by_beta_over_rest(alpha, beta, by_host):
    response = Api("beta", by_host=by_host, auth=key_auth(alpha.api_key)).get("/api/v1/users")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_tenant"


@pytest.mark.parametrize("by_host", [False, True])
def test_alpha_jwt_is_refused_by_beta_over_rest(alpha, beta, login, by_host):
    token = login("alpha", alpha.admin_email)

    response = Api("beta", by_host=by_host, auth=token).get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "wrong_tenant",
        "message": "This token was issued for another tenant.",
        "field": None,
    }


@pytest.mark.parametrize("by_host", [False, True])
def test_alpha_credentials_are_refused_by_beta_over_graphql(alpha, beta, login, by_host):
    for auth in (key_auth(alpha.api_key), login("alpha", alpha.admin_email)):
        response = Api("beta", by_host=by_host, auth=auth).graphql(ME)

        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "wrong_tenant"


def test_same_user_id_in_another_tenant_does_not_log_in_there(alpha, beta, login):
    # Both tenants' first admin has id 1 in its own schema: the tenant claim, not the id, decides.
    with tenant_context(Tenant.objects.get(slug="beta")):
        assert User.objects.filter(pk=1).exists()

    response = Api("beta", auth=login("alpha", alpha.admin_email)).get("/api/v1/users")

    assert response.status_code == 403


def test_forged_key_with_beta_slug_but_alpha_secret_is_refused(alpha, beta):
    _slug, prefix, secret = alpha.api_key.split(".")

    response = Api("beta", auth=key_auth(f"beta.{prefix}.{secret}")).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_each_tenant_lists_only_its_own_users_and_keys(alpha, beta, make_user):
    make_user("alpha", "analyst", "only-alpha@alpha.example")

    beta_users = Api("beta", auth=key_auth(beta.api_key)).get("/api/v1/users").json()["results"]
    alpha_users = (
        Api("alpha", auth=key_auth(alpha.api_key))
        .graphql("{ users { edges { node { email } } } }")
        .json()["data"]["users"]
    )

    assert [u["email"] for u in beta_users] == ["admin@beta.example"]
    assert sorted(u["email"] for u in nodes(alpha_users)) == ["admin@alpha.example", "only-alpha@alpha.example"]


def test_revoking_a_key_by_id_only_touches_the_callers_tenant(alpha, beta):
    with tenant_context(Tenant.objects.get(slug="beta")):
        beta_key_id = ApiKey.objects.get().pk

    # The same id exists in alpha's schema; revoking it from alpha must leave beta's key working.
    Api("alpha", auth=key_auth(alpha.api_key)).post(f"/api/v1/api-keys/{beta_key_id}/revoke")

    assert Api("beta", auth=key_auth(beta.api_key)).get("/api/v1/me").status_code == 200
