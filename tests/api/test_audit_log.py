"""The security audit log: what is recorded (and what never is), from where, who may read it, and that it cannot
be changed."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import tenant_context

from api.origin import client_ip
from config.audit import audit
from tenants.audit.models import AuditEntry
from tenants.audit.services import audit_record
from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tests.conftest import PASSWORD, Api, key_auth, nodes

AUDIT = "/api/v1/audit-log"
WRONG_PASSWORD = "not-the-password-1234"


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def entries(tenant: Any, query: str = "") -> list[dict[str, Any]]:
    response = admin(tenant).get(f"{AUDIT}?page_size=200&{query}")
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def post_from(slug: str, path: str, body: dict[str, Any], *, remote: str, forwarded: str = "", agent: str = "") -> Any:
    api = Api(slug)
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    if agent:
        meta["HTTP_USER_AGENT"] = agent
    return api.client.post(path, json.dumps(body), content_type="application/json", headers={"X-Tenant": slug}, **meta)


def test_logins_and_failed_logins_are_recorded_with_address_and_agent_but_no_password(alpha, make_user):
    make_user("alpha", "analyst", email="ana@alpha.example")

    failed = post_from(
        "alpha",
        "/api/v1/auth/token",
        {"email": "Ana@Alpha.example", "password": WRONG_PASSWORD},
        remote="127.0.0.1",
        forwarded="203.0.113.9",
        agent="Mozilla/5.0 " + "x" * 400,
    )
    ok = post_from(
        "alpha", "/api/v1/auth/token", {"email": "ana@alpha.example", "password": PASSWORD}, remote="198.51.100.4"
    )
    unknown = post_from(
        "alpha", "/api/v1/auth/token", {"email": "nobody@alpha.example", "password": WRONG_PASSWORD}, remote="::1"
    )
    logged = entries(alpha, "action=auth.login,auth.login_failed")

    assert [failed.status_code, ok.status_code, unknown.status_code] == [401, 200, 401]
    newest, login, first = logged[:3]
    assert (first["action"], first["actor_type"], first["actor_id"], first["actor_name"]) == (
        "auth.login_failed",
        "anonymous",
        None,
        "ana@alpha.example",
    )
    assert first["ip"] == "203.0.113.9"
    assert first["user_agent"] == ("Mozilla/5.0 " + "x" * 400)[:300]
    assert (login["action"], login["actor_type"], login["actor_name"], login["ip"]) == (
        "auth.login",
        "user",
        "ana@alpha.example",
        "198.51.100.4",
    )
    assert (login["target_type"], login["target_id"]) == ("user", str(login["actor_id"]))
    assert (newest["actor_name"], newest["ip"]) == ("nobody@alpha.example", "::1")
    with in_tenant("alpha"):
        stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert WRONG_PASSWORD not in stored and PASSWORD not in stored


def test_refreshing_a_token_is_recorded(alpha):
    pair = Api("alpha").post("/api/v1/auth/token", {"email": "admin@alpha.example", "password": PASSWORD}).json()

    refreshed = Api("alpha").post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]})

    assert refreshed.status_code == 200
    (entry,) = entries(alpha, "action=auth.token_refreshed")[:1]
    assert (entry["actor_type"], entry["actor_name"]) == ("user", "admin@alpha.example")
    assert pair["refresh"] not in json.dumps(entries(alpha))


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "203.0.113.9", ["127.0.0.1"], "203.0.113.9"),
        # What the client wrote itself (left of the address our proxy saw) is ignored.
        ("127.0.0.1", "6.6.6.6, 203.0.113.9", ["127.0.0.1"], "203.0.113.9"),
        # Not from a trusted proxy: the header is the caller's own claim.
        ("198.51.100.7", "203.0.113.9", ["127.0.0.1"], "198.51.100.7"),
        ("127.0.0.1", "203.0.113.9, 10.1.2.3", ["127.0.0.1", "10.0.0.0/8"], "203.0.113.9"),
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),
        ("127.0.0.1", "not-an-address", ["127.0.0.1"], "127.0.0.1"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_client_address_honours_forwarded_for_only_from_trusted_proxies(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}

    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra)) == expected


def test_identity_changes_are_recorded_with_who_and_what(alpha, make_user):
    api = admin(alpha)

    invited = api.post("/api/v1/invitations", {"email": "new@alpha.example", "role": "viewer"}).json()
    user = {"id": make_user("alpha", "viewer", "old@alpha.example").pk}
    api.patch(f"/api/v1/users/{user['id']}", {"role": "analyst"})
    api.patch(f"/api/v1/users/{user['id']}", {"is_active": False})
    api.patch(f"/api/v1/users/{user['id']}", {"name": "only a name"})
    key = api.post("/api/v1/api-keys", {"name": "ci", "role": "analyst"}).json()
    api.post(f"/api/v1/api-keys/{key['id']}/revoke")
    api.post(f"/api/v1/api-keys/{key['id']}/revoke")
    gql = api.graphql('mutation { inviteUser(input: {email: "gql@alpha.example", role: VIEWER}) { id } }').json()

    logged = entries(alpha, "target_type=user,api_key,invitation")[:6]
    assert [(e["action"], e["target_type"]) for e in reversed(logged)] == [
        ("invitation.created", "invitation"),
        ("user.role_changed", "user"),
        ("user.deactivated", "user"),
        ("api_key.created", "api_key"),
        ("api_key.revoked", "api_key"),
        ("invitation.created", "invitation"),
    ]
    created, role_changed = logged[5], logged[4]
    assert {(e["actor_type"], e["actor_name"]) for e in logged} == {("api_key", "default")}
    assert created["target_id"] == str(invited["id"])
    assert created["details"] == {"email": "new@alpha.example", "role": "viewer"}
    assert role_changed["details"] == {"email": "old@alpha.example", "from": "viewer", "to": "analyst"}
    assert logged[2]["details"]["prefix"] == key["prefix"] and logged[2]["target_id"] == str(key["id"])
    assert logged[0]["target_id"] == gql["data"]["inviteUser"]["id"]
    stored = json.dumps(entries(alpha))
    assert key["key"] not in stored and key["key"].rsplit(".", 1)[1] not in stored and PASSWORD not in stored


def test_channel_changes_are_recorded_without_any_secret(alpha):
    api = admin(alpha)
    url = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN-IN-THE-URL"
    robot = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"

    channel = api.post(
        "/api/v1/notification-channels",
        {"name": "ops", "kind": "webhook", "format": "dingtalk", "url": url, "robot_secret": robot},
    ).json()
    path = f"/api/v1/notification-channels/{channel['id']}"
    api.patch(path, {"name": "ops room", "event_types": ["alert.opened"]})
    api.patch(path, {"robot_secret": ""})
    rotated = api.post(f"{path}/rotate-secret").json()
    api.delete(path)

    logged = list(reversed(entries(alpha, "target_type=notification_channel")[:6]))
    assert [e["action"] for e in logged] == [
        "channel.created",
        "channel.updated",
        "channel.updated",
        "channel.robot_secret_changed",
        "channel.secret_rotated",
        "channel.archived",
    ]
    assert {e["target_id"] for e in logged} == {str(channel["id"])}
    assert logged[0]["details"] == {"name": "ops", "kind": "webhook", "format": "dingtalk", "host": "oapi.dingtalk.com"}
    assert logged[1]["details"]["fields"] == ["event_types", "name"]
    assert logged[3]["details"]["robot_signing"] is False
    stored = json.dumps(entries(alpha))
    for secret in (channel["secret"], rotated["secret"], robot, "TOKEN-IN-THE-URL"):
        assert secret not in stored


def test_archiving_and_restoring_are_recorded(alpha):
    api = admin(alpha)
    rule = api.post("/api/v1/rules", {"name": "recall watch", "expression": "召回"}).json()
    api.delete(f"/api/v1/rules/{rule['id']}")
    api.delete(f"/api/v1/rules/{rule['id']}")
    api.post(f"/api/v1/rules/{rule['id']}/restore")

    logged = [e for e in entries(alpha, "target_type=monitoring_rule") if e["target_id"] == str(rule["id"])]
    assert [(e["action"], e["details"]) for e in reversed(logged)] == [
        ("rule.archived", {"name": "recall watch"}),
        ("rule.restored", {"name": "recall watch"}),
    ]


def test_refused_changes_record_nothing(alpha, make_key):
    _key, raw = make_key("alpha", "analyst")
    before = len(entries(alpha, "action=user.*,api_key.*,channel.*,invitation.*"))

    forbidden = Api("alpha", auth=key_auth(raw)).post(
        "/api/v1/invitations", {"email": "x@alpha.example", "role": "admin"}
    )
    invalid = admin(alpha).post("/api/v1/invitations", {"email": "not-an-email", "role": "viewer"})

    assert (forbidden.status_code, invalid.status_code) == (403, 400)
    assert len(entries(alpha, "action=user.*,api_key.*,channel.*,invitation.*")) == before


@pytest.mark.parametrize("role", ["viewer", "analyst", "responder", "approver"])
def test_only_admins_read_the_audit_log(alpha, make_key, role):
    _key, raw = make_key("alpha", role)
    caller = Api("alpha", auth=key_auth(raw))

    rest = caller.get(AUDIT)
    graphql = caller.graphql("{ auditLog { edges { node { id action } } } }").json()

    assert rest.status_code == 403
    assert graphql["data"] is None
    assert graphql["errors"][0]["extensions"]["code"] == "permission_denied"
    assert Api("alpha").get(AUDIT).status_code == 401


def test_nothing_in_the_audit_log_can_be_changed(alpha):
    api = admin(alpha)
    api.post("/api/v1/api-keys", {"name": "ci", "role": "analyst"})
    entry = entries(alpha)[0]
    one = f"{AUDIT}/{entry['id']}"

    responses = [
        api.post(AUDIT, {"action": "auth.login"}),
        api.patch(one, {"action": "nothing.happened"}),
        api.request("put", one, {"action": "nothing.happened"}),
        api.delete(one),
    ]

    assert [r.status_code for r in responses] == [405, 405, 405, 405]
    assert api.get(one).json() == entry
    with in_tenant("alpha"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry["id"]).update(action="nothing.happened")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry["id"]).delete()
        assert AuditEntry.objects.get(pk=entry["id"]).action == entry["action"]
    schema = api.get("/api/schema/?format=json").json()["paths"]
    assert set(schema["/api/v1/audit-log"]) == {"get"}
    assert set(schema["/api/v1/audit-log/{id}"]) == {"get"}


def test_filters_and_cursor_pages_newest_first(alpha, make_user):
    make_user("alpha", "viewer", email="vic@alpha.example")
    api = admin(alpha)
    start = timezone.now()
    for name in ("k1", "k2", "k3"):
        api.post("/api/v1/api-keys", {"name": name, "role": "viewer"})
    post_from("alpha", "/api/v1/auth/token", {"email": "vic@alpha.example", "password": "nope"}, remote="127.0.0.1")
    end = timezone.now()
    key_id = entries(alpha, "action=api_key.created")[0]["actor_id"]

    query = f"action=api_key.created&page_size=2&since={start.isoformat().replace('+00:00', 'Z')}"
    first = api.get(f"{AUDIT}?{query}")
    second = api.get(f"{AUDIT}?{query}&cursor={first.json()['next_cursor']}")
    family = entries(alpha, f"action=auth.*&since={start.isoformat().replace('+00:00', 'Z')}")
    by_email = entries(alpha, "actor=VIC@alpha.example")
    by_key = entries(alpha, f"actor=api_key:{key_id}&since={start.isoformat().replace('+00:00', 'Z')}")
    later = entries(alpha, f"since={(end + timedelta(seconds=1)).isoformat().replace('+00:00', 'Z')}")
    earlier = entries(alpha, f"until={(start - timedelta(seconds=1)).isoformat().replace('+00:00', 'Z')}")
    bad = api.get(f"{AUDIT}?since=yesterday")
    crossed = api.get(f"{AUDIT}?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z")

    assert [e["details"]["name"] for e in first.json()["results"]] == ["k3", "k2"]
    assert [e["details"]["name"] for e in second.json()["results"]] == ["k1"]
    assert [e["action"] for e in family] == ["auth.login_failed"]
    assert [e["action"] for e in by_email] == ["auth.login_failed"]
    assert [e["action"] for e in by_key] == ["api_key.created"] * 3
    assert later == []
    assert all(e["created_at"] < start.isoformat() for e in earlier)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "since"
    assert crossed.status_code == 400 and crossed.json()["error"]["field"] == "since"


def test_graphql_reads_the_same_log_with_the_same_filters(alpha):
    api = admin(alpha)
    for name in ("g1", "g2", "g3"):
        api.post("/api/v1/api-keys", {"name": name, "role": "viewer"})
    query = (
        'query($after: String) { auditLog(action: ["api_key.*"], targetType: ["api_key"], actor: "default", '
        "first: 2, after: $after) { pageInfo { endCursor hasNextPage } "
        "edges { node { id action actorType actorName targetType targetId details ip } } } }"
    )

    first = api.graphql(query).json()["data"]["auditLog"]
    rest = entries(alpha, "action=api_key.*&target_type=api_key&actor=default")[:3]
    after = nodes(api.graphql(query, {"after": first["pageInfo"]["endCursor"]}).json()["data"]["auditLog"])
    page = nodes(first)

    assert [e["details"]["name"] for e in page] == ["g3", "g2"]
    assert [int(e["id"]) for e in page] == [e["id"] for e in rest[:2]]
    assert after[0]["details"]["name"] == "g1"
    assert page[0]["actorType"] == "API_KEY" and page[0]["targetType"] == "api_key"


def test_beta_cannot_see_alphas_audit_entries(alpha, beta):
    admin(alpha).post("/api/v1/api-keys", {"name": "alpha only", "role": "viewer"})
    entry = entries(alpha, "action=api_key.created")[0]

    listed = entries(beta)
    fetched = admin(beta).get(f"{AUDIT}/{entry['id']}")
    gql = nodes(
        admin(beta).graphql("{ auditLog(first: 200) { edges { node { id details } } } }").json()["data"]["auditLog"]
    )
    with_alpha_key = Api("beta", auth=key_auth(alpha.api_key)).get(AUDIT)

    assert all(e["details"].get("name") != "alpha only" for e in listed)
    assert all((e["details"] or {}).get("name") != "alpha only" for e in gql)
    assert fetched.status_code == 404 or fetched.json()["details"].get("name") != "alpha only"
    assert with_alpha_key.status_code == 403


def test_domain_code_records_through_the_hook_in_one_call(alpha):
    with in_tenant("alpha"):
        audit(actor=SYSTEM, action="rule.archived", target_type="rule", target_id=42, details={"name": "奶茶店"})

    (entry,) = entries(alpha, "action=rule.archived")[:1]
    assert (entry["actor_type"], entry["target_type"], entry["target_id"]) == ("system", "rule", "42")
    assert entry["ip"] is None
    assert entry["details"] == {"name": "奶茶店"}


def test_recording_a_credential_is_refused(alpha):
    with in_tenant("alpha"), pytest.raises(ValueError, match="credentials"):
        audit_record(actor=SYSTEM, action="api_key.created", details={"nested": {"password": "x"}})
