"""A tenant keeps at least one active admin principal (user or API key): the last one cannot be demoted,
deactivated or revoked."""

from django_tenants.utils import tenant_context

from tenants.identity.models import ApiKey, User
from tenants.models import Tenant
from tests.conftest import Api, key_auth


def in_tenant(slug: str):
    return tenant_context(Tenant.objects.get(slug=slug))


def test_the_last_admin_key_cannot_revoke_itself(alpha):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    with in_tenant("alpha"):
        user_id = User.objects.get(email=alpha.admin_email).pk
        key_id = ApiKey.objects.get(role="admin", revoked_at__isnull=True).pk

    deactivated = api.patch(f"/api/v1/users/{user_id}", {"is_active": False})  # the key is still an admin
    rest = api.post(f"/api/v1/api-keys/{key_id}/revoke")
    gql = api.graphql(f"mutation {{ revokeApiKey(id: {key_id}) {{ revokedAt }} }}").json()

    assert deactivated.status_code == 200
    assert rest.status_code == 409
    assert rest.json()["error"]["code"] == "last_admin" and rest.json()["error"]["field"] == "id"
    assert gql["errors"][0]["extensions"]["code"] == "last_admin"
    assert api.get("/api/v1/me").status_code == 200
    with in_tenant("alpha"):
        assert ApiKey.objects.get(pk=key_id).revoked_at is None


def test_an_admin_key_may_be_revoked_while_an_admin_user_remains(alpha, login):
    api = Api("alpha", auth=login("alpha", alpha.admin_email))
    with in_tenant("alpha"):
        key_id = ApiKey.objects.get(role="admin").pk

    assert api.post(f"/api/v1/api-keys/{key_id}/revoke").status_code == 200
