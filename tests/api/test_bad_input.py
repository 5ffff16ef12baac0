"""Bad input is a 4xx naming the field and the problem, and writes nothing."""

from django_tenants.utils import tenant_context

from tenants.identity.models import ApiKey, User
from tenants.models import Tenant
from tests.conftest import Api, key_auth


def admin(alpha) -> Api:
    return Api("alpha", auth=key_auth(alpha.api_key))


def user_count() -> int:
    with tenant_context(Tenant.objects.get(slug="alpha")):
        return User.objects.count()


def test_unknown_role_enum_is_400_naming_role(alpha):
    before = user_count()

    response = admin(alpha).post("/api/v1/invitations", {"email": "a@alpha.example", "role": "god"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "role"
    assert '"god" is not a valid choice.' in response.json()["error"]["message"]
    assert user_count() == before


def test_unknown_role_over_graphql_is_refused_before_anything_runs(alpha):
    response = admin(alpha).graphql('mutation { inviteUser(input: {email: "a@alpha.example", role: GOD}) { id } }')

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "graphql_validation" and "GOD" in error["message"]
    assert user_count() == 1


def test_a_role_outside_the_tenant_over_graphql_is_refused_by_the_same_service(alpha):
    response = admin(alpha).graphql(
        'mutation { inviteUser(input: {email: "a@alpha.example", role: BILLING_ADMIN}) { id } }'
    )

    error = response.json()["errors"][0]["extensions"]
    assert error["code"] == "invalid" and error["field"] == "role"
    assert user_count() == 1


def test_billing_admin_role_is_not_a_tenant_role(alpha):
    response = admin(alpha).post("/api/v1/invitations", {"email": "b@alpha.example", "role": "billing_admin"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "role"


def test_several_field_errors_are_all_reported(alpha):
    response = admin(alpha).post("/api/v1/invitations", {"email": "nope", "role": "billing_admin"})

    body = response.json()["error"]
    assert response.status_code == 400
    assert body["field"] == "email"
    assert [d["field"] for d in body["details"]] == ["email", "role"]


def test_malformed_json_is_400(alpha):
    response = admin(alpha).post("/api/v1/api-keys", raw=b'{"name": "x", ')

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert response.json()["error"]["field"] == "body"
    assert "line 1" in response.json()["error"]["message"]


def test_json_nested_too_deep_is_400(alpha):
    response = admin(alpha).post("/api/v1/api-keys", raw=b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "too_deep",
        "message": "JSON is nested more than 64 levels deep.",
        "field": "body",
    }


def test_integer_of_thousands_of_digits_is_400(alpha):
    response = admin(alpha).post("/api/v1/silences", raw=b'{"scope": "tenant", "minutes": ' + b"9" * 4301 + b"}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "number_out_of_range"


def test_invalid_utf8_body_is_400(alpha):
    response = admin(alpha).post("/api/v1/api-keys", raw=b'{"name": "\xff\xfe", "role": "viewer"}')

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_encoding"
    assert response.json()["error"]["field"] == "body"


def test_lone_surrogate_is_400_naming_the_field_and_writes_nothing(alpha):
    with tenant_context(Tenant.objects.get(slug="alpha")):
        before = ApiKey.objects.count()

    response = admin(alpha).post("/api/v1/api-keys", raw=b'{"name": "bad \\ud800 key", "role": "viewer"}')

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_encoding",
        "field": "name",
        "message": "Text contains a NUL character or broken Unicode (lone surrogate).",
    }
    with tenant_context(Tenant.objects.get(slug="alpha")):
        assert ApiKey.objects.count() == before


def test_oversized_field_is_400(alpha):
    response = admin(alpha).post("/api/v1/api-keys", {"name": "k" * 101, "role": "viewer"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "name"


def test_past_expiry_is_400(alpha):
    response = admin(alpha).post(
        "/api/v1/api-keys", {"name": "k", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"}
    )

    message = "Expiry must be in the future."
    assert response.json()["error"] == {
        "code": "invalid",
        "message": message,
        "field": "expires_at",
        "details": [{"field": "expires_at", "message": message}],
    }


def test_oversized_body_is_413(alpha, settings):
    settings.MAX_REQUEST_BYTES = 1000

    response = admin(alpha).post("/api/v1/api-keys", {"name": "k" * 2000, "role": "viewer"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["message"].endswith("the limit is 1000 bytes.")


def test_graphql_depth_limit(alpha, settings):
    query = "{ me { tenant { slug } } }"

    ok = admin(alpha).graphql(query)
    settings.GRAPHQL_MAX_DEPTH = 1
    refused = admin(alpha).graphql(query)

    assert ok.json()["data"]["me"]["tenant"]["slug"] == "alpha"
    assert refused.json()["errors"][0]["extensions"]["code"] == "graphql_validation"
    assert "exceeds maximum operation depth of 1" in refused.json()["errors"][0]["message"]


def test_graphql_syntax_error_has_location(alpha):
    response = admin(alpha).graphql("{ me { ")

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "graphql_validation"
    assert error["locations"] == [{"line": 1, "column": 8}]


def test_non_numeric_id_is_404_not_500(alpha):
    response = admin(alpha).post("/api/v1/api-keys/abc/revoke")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
