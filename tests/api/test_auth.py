"""Authentication and the role choke point: bad credentials are 401, missing permission is 403, nothing is written."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.identity.models import ApiKey, Invitation, User
from tenants.models import Tenant
from tests.conftest import PASSWORD, Api, key_auth


def count_keys(slug: str) -> int:
    with tenant_context(Tenant.objects.get(slug=slug)):
        return ApiKey.objects.count()


def test_login_refresh_and_me(alpha, make_user):
    make_user("alpha", "analyst", "ana@alpha.example")
    api = Api("alpha")

    pair = api.post("/api/v1/auth/token", {"email": "ANA@alpha.example", "password": PASSWORD}).json()
    refreshed = api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]})
    me = Api("alpha", auth=f"Bearer {refreshed.json()['access']}").get("/api/v1/me")

    assert refreshed.status_code == 200
    assert me.json() == {
        "kind": "user",
        "id": me.json()["id"],
        "name": "ana@alpha.example",
        "email": "ana@alpha.example",
        "role": "analyst",
        "tenant": {"slug": "alpha", "name": "Alpha PR"},
    }


def test_wrong_password_is_401_naming_the_field(alpha):
    response = Api("alpha").post("/api/v1/auth/token", {"email": alpha.admin_email, "password": "nope"})

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "Email or password is wrong.",
        "field": "password",
    }


def test_missing_credentials_are_401(alpha):
    response = Api("alpha").get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_garbage_bearer_token_is_401(alpha):
    response = Api("alpha", auth="Bearer not.a.jwt").get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "Token is invalid or expired.",
        "field": None,
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_auth_scheme_is_401(alpha):
    response = Api("alpha", auth="Basic YWRtaW46YWRtaW4=").graphql("{ me { role } }")

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["field"] == "Authorization"


def test_refresh_token_cannot_be_used_as_access_token(alpha):
    pair = Api("alpha").post("/api/v1/auth/token", {"email": alpha.admin_email, "password": PASSWORD}).json()

    response = Api("alpha", auth=f"Bearer {pair['refresh']}").get("/api/v1/me")

    assert response.status_code == 401


def test_deactivated_user_token_stops_working(alpha, make_user, login):
    user = make_user("alpha", "viewer", "gone@alpha.example")
    token = login("alpha", "gone@alpha.example")
    with tenant_context(Tenant.objects.get(slug="alpha")):
        User.objects.filter(pk=user.pk).update(is_active=False)

    assert Api("alpha", auth=token).get("/api/v1/me").status_code == 401


def test_revoked_key_is_401_over_rest_and_graphql(alpha, make_key):
    key, raw = make_key("alpha", "analyst")
    admin = Api("alpha", auth=key_auth(alpha.api_key))

    revoked = admin.post(f"/api/v1/api-keys/{key.pk}/revoke")
    rest = Api("alpha", auth=key_auth(raw)).get("/api/v1/me")
    graphql = Api("alpha", auth=key_auth(raw)).graphql("{ me { role } }")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert rest.status_code == 401
    assert rest.json()["error"] == {
        "code": "authentication_failed",
        "message": "API key has been revoked.",
        "field": None,
    }
    assert graphql.status_code == 401
    assert graphql.json()["errors"][0]["extensions"]["code"] == "authentication_failed"


def test_expired_key_is_401(alpha, make_key):
    key, raw = make_key("alpha")
    with tenant_context(Tenant.objects.get(slug="alpha")):
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Api("alpha", auth=key_auth(raw)).get("/api/v1/me")

    assert response.json()["error"]["message"] == "API key has expired."


def test_tampered_key_secret_is_401(alpha):
    response = Api("alpha", auth=key_auth(alpha.api_key[:-2] + "xx")).get("/api/v1/me")

    assert response.status_code == 401


def test_viewer_cannot_create_api_key_and_nothing_is_written(alpha, make_user, login):
    make_user("alpha", "viewer", "vic@alpha.example")
    viewer = Api("alpha", auth=login("alpha", "vic@alpha.example"))
    before = count_keys("alpha")

    rest = viewer.post("/api/v1/api-keys", {"name": "sneaky", "role": "admin"})
    graphql = viewer.graphql('mutation { createApiKey(name: "sneaky", role: ADMIN) { key } }')

    assert rest.status_code == 403
    assert rest.json()["error"] == {
        "code": "permission_denied",
        "message": "Role 'viewer' may not api_keys.manage.",
        "field": None,
    }
    assert graphql.json()["errors"][0]["extensions"]["code"] == "permission_denied"
    assert graphql.json()["data"] is None
    assert count_keys("alpha") == before


def test_analyst_key_cannot_manage_users(alpha, make_key):
    _key, raw = make_key("alpha", "analyst")

    response = Api("alpha", auth=key_auth(raw)).post(
        "/api/v1/invitations", {"email": "x@alpha.example", "role": "admin"}
    )

    assert response.status_code == 403
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert not User.objects.filter(email="x@alpha.example").exists()
        assert not Invitation.objects.exists()


def test_admin_creates_a_key_that_works_once_shown(alpha):
    admin = Api("alpha", auth=key_auth(alpha.api_key))

    created = admin.graphql('mutation { createApiKey(name: "crm sync", role: RESPONDER) { key apiKey { role } } }')
    key = created.json()["data"]["createApiKey"]["key"]
    listed = admin.get("/api/v1/api-keys").json()["results"]

    assert created.json()["data"]["createApiKey"]["apiKey"]["role"] == "RESPONDER"
    assert Api("alpha", auth=key_auth(key)).get("/api/v1/me").json()["role"] == "responder"
    assert all("key" not in item and "hashed_secret" not in item for item in listed)


def test_admin_manages_users_and_roles(alpha, make_user):
    admin = Api("alpha", auth=key_auth(alpha.api_key))
    rita = make_user("alpha", "responder", "rita@alpha.example")

    changed = admin.patch(f"/api/v1/users/{rita.pk}", {"role": "approver"})
    duplicate = admin.post("/api/v1/invitations", {"email": "rita@alpha.example", "role": "viewer"})
    created = admin.post("/api/v1/users", {"email": "sam@alpha.example", "password": PASSWORD, "role": "viewer"})

    assert created.status_code == 405  # people join by invitation and choose their own password
    assert changed.json()["role"] == "approver"
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["field"] == "email"


def test_billing_admin_on_public_host_sees_no_tenant(tenants):
    User.objects.create_user(email="billing@vigil.example", password=PASSWORD, role="billing_admin")
    pair = Api(None).post("/api/v1/auth/token", {"email": "billing@vigil.example", "password": PASSWORD}).json()

    me = Api(None, auth=f"Bearer {pair['access']}").get("/api/v1/me")
    on_tenant = Api("alpha", auth=f"Bearer {pair['access']}").get("/api/v1/me")

    assert me.json()["role"] == "billing_admin" and me.json()["tenant"] is None
    assert on_tenant.status_code == 403
