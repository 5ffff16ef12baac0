"""Invitations and password resets: an admin invites by email with a role, the invitee chooses their password with
a mailed single-use token; a forgotten password is reset the same way. Tokens expire, work once, stay in their
tenant; the endpoints without credentials are rate-limited and never say whether an address has an account."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.celery import app as celery_app
from tenants.audit.models import AuditEntry
from tenants.identity.models import Invitation, PasswordReset, User
from tenants.models import Tenant
from tests.conftest import PASSWORD, key_auth, nodes
from tests.conftest import Api as BaseApi

INVITATIONS = "/api/v1/invitations"
ACCEPT = "/api/v1/invitations/accept"
RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "a-new-long-passphrase"


class Api(BaseApi):
    """Runs what a request leaves for after its commit (the mail task), as the end of a real request would: the
    test's own transaction never commits."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(*args, **kwargs)


@pytest.fixture(autouse=True)
def _mail_task_runs_here() -> Iterator[None]:
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def mail(mailoutbox: list[Any]) -> list[Any]:
    return mailoutbox


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def token_of(message: Any) -> str:
    (link,) = re.findall(r"https?://\S+", message.body)
    return parse_qs(urlsplit(link).query)["token"][0]


def invite(tenant: Any, mail: list[Any], email: str = "rita@alpha.example", role: str = "responder") -> str:
    response = admin(tenant).post(INVITATIONS, {"email": email, "role": role, "name": "Rita"})
    assert response.status_code == 201, response.content
    return token_of(mail[-1])


def error_field(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["field"]


def test_an_invited_person_chooses_their_password_and_logs_in(alpha, mail, login, settings):
    settings.ACCOUNT_LINK_BASE_URL = "https://app.vigil.example/"
    invited = admin(alpha).post(INVITATIONS, {"email": "Rita@Alpha.example", "role": "responder", "name": "Rita"})
    (message,) = mail
    token = token_of(message)

    accepted = Api("alpha").post(ACCEPT, {"token": token, "name": "Rita Chen", "password": NEW_PASSWORD})
    again = Api("alpha").post(ACCEPT, {"token": token, "name": "Eve", "password": NEW_PASSWORD})
    listed = admin(alpha).get(INVITATIONS).json()["results"]

    assert invited.status_code == 201
    assert {k: invited.json()[k] for k in ("email", "role", "status", "invited_by", "user_id")} == {
        "email": "rita@alpha.example",
        "role": "responder",
        "status": "pending",
        "invited_by": "default",
        "user_id": None,
    }
    assert "token" not in invited.json()
    assert message.to == ["rita@alpha.example"]
    assert message.subject == "You are invited to Alpha PR on Vigil"
    assert "default invites you to Alpha PR on Vigil, as responder." in message.body
    assert f"https://app.vigil.example/invitations/accept?tenant=alpha&token={token}" in message.body
    assert accepted.status_code == 201
    assert {k: accepted.json()[k] for k in ("email", "name", "role")} == {
        "email": "rita@alpha.example",
        "name": "Rita Chen",
        "role": "responder",
    }
    assert login("alpha", "rita@alpha.example", NEW_PASSWORD).startswith("Bearer ")
    assert error_field(again) == (400, "token")
    assert [(i["status"], i["user_id"]) for i in listed] == [("accepted", accepted.json()["id"])]


def test_invitations_work_the_same_over_graphql(alpha, mail, login):
    api = admin(alpha)

    invited = api.graphql(
        'mutation { inviteUser(input: {email: "gql@alpha.example", role: VIEWER}) { id status role } }'
    ).json()["data"]["inviteUser"]
    token = token_of(mail[-1])
    accepted = Api("alpha").graphql(
        'mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p, name: "G") { email role } }',
        {"t": token, "p": NEW_PASSWORD},
    )
    listed = nodes(
        api.graphql("{ invitations(status: ACCEPTED) { edges { node { id status userId } } } }").json()["data"][
            "invitations"
        ]
    )

    assert (invited["status"], invited["role"]) == ("PENDING", "VIEWER")
    assert accepted.json()["data"]["acceptInvitation"] == {"email": "gql@alpha.example", "role": "VIEWER"}
    assert [i["id"] for i in listed] == [invited["id"]]
    assert login("alpha", "gql@alpha.example", NEW_PASSWORD)


def test_no_admin_chooses_a_password(alpha):
    api = admin(alpha)

    rest = api.post("/api/v1/users", {"email": "x@alpha.example", "password": PASSWORD, "role": "viewer"})
    gql = api.graphql('mutation { createUser(input: {email: "x@alpha.example", role: VIEWER}) { id } }')

    assert rest.status_code == 405
    assert gql.json()["errors"][0]["extensions"]["code"] == "graphql_validation"
    with in_tenant("alpha"):
        assert not User.objects.filter(email="x@alpha.example").exists()


@pytest.mark.parametrize("spoil", ["expired", "revoked", "unknown"])
def test_an_expired_revoked_or_unknown_invitation_token_is_a_400_naming_token(alpha, mail, spoil):
    token = invite(alpha, mail)
    with in_tenant("alpha"):
        invitation = Invitation.objects.get()
    if spoil == "expired":
        with in_tenant("alpha"):
            Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoked":
        assert admin(alpha).post(f"{INVITATIONS}/{invitation.pk}/revoke").json()["status"] == "revoked"
    else:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = Api("alpha").post(ACCEPT, {"token": token, "password": NEW_PASSWORD})

    assert error_field(response) == (400, "token")
    assert response.json()["error"]["message"] == "This link is invalid, already used or expired; ask for a new one."
    with in_tenant("alpha"):
        assert not User.objects.filter(email="rita@alpha.example").exists()
        assert Invitation.objects.get().status == {"expired": "expired", "revoked": "revoked"}.get(spoil, "pending")


def test_a_bad_password_leaves_the_token_usable(alpha, mail):
    token = invite(alpha, mail)

    short = Api("alpha").post(ACCEPT, {"token": token, "password": "short"})
    missing = Api("alpha").post(ACCEPT, {"password": NEW_PASSWORD})
    accepted = Api("alpha").post(ACCEPT, {"token": token, "password": NEW_PASSWORD})

    assert error_field(short) == (400, "password")
    assert error_field(missing) == (400, "token")
    assert accepted.status_code == 201


def test_an_address_with_an_account_or_a_pending_invitation_cannot_be_invited(alpha, mail):
    invite(alpha, mail, email="rita@alpha.example")

    pending = admin(alpha).post(INVITATIONS, {"email": "rita@alpha.example", "role": "viewer"})
    existing = admin(alpha).post(INVITATIONS, {"email": alpha.admin_email, "role": "viewer"})

    assert error_field(pending) == (409, "email")
    assert pending.json()["error"]["code"] == "already_invited"
    assert error_field(existing) == (409, "email")
    assert len(mail) == 1


def test_an_accepted_invitation_cannot_be_revoked_and_a_revoked_one_can_be_replaced(alpha, mail):
    token = invite(alpha, mail)
    with in_tenant("alpha"):
        first = Invitation.objects.get().pk
    revoked = admin(alpha).graphql(f"mutation {{ revokeInvitation(id: {first}) {{ status }} }}")
    token = invite(alpha, mail)
    Api("alpha").post(ACCEPT, {"token": token, "password": NEW_PASSWORD})
    with in_tenant("alpha"):
        second = Invitation.objects.exclude(pk=first).get().pk

    refused = admin(alpha).post(f"{INVITATIONS}/{second}/revoke")

    assert revoked.json()["data"]["revokeInvitation"] == {"status": "REVOKED"}
    assert error_field(refused) == (409, "id")
    assert [i["status"] for i in admin(alpha).get(INVITATIONS).json()["results"]] == ["accepted", "revoked"]


@pytest.mark.parametrize("role", ["analyst", "responder", "approver", "viewer"])
def test_only_admins_invite_list_or_revoke(alpha, mail, make_key, role):
    invite(alpha, mail)
    with in_tenant("alpha"):
        invitation = Invitation.objects.get()
    _key, raw = make_key("alpha", role)
    caller = Api("alpha", auth=key_auth(raw))

    answers = [
        caller.get(INVITATIONS).status_code,
        caller.get(f"{INVITATIONS}/{invitation.pk}").status_code,
        caller.post(INVITATIONS, {"email": "x@alpha.example", "role": "admin"}).status_code,
        caller.post(f"{INVITATIONS}/{invitation.pk}/revoke").status_code,
    ]
    gql = [
        caller.graphql("{ invitations { edges { node { id } } } }").json()["errors"][0]["extensions"]["code"],
        caller.graphql('mutation { inviteUser(input: {email: "x@alpha.example", role: ADMIN}) { id } }').json()[
            "errors"
        ][0]["extensions"]["code"],
        caller.graphql(f"mutation {{ revokeInvitation(id: {invitation.pk}) {{ id }} }}").json()["errors"][0][
            "extensions"
        ]["code"],
    ]

    assert answers == [403, 403, 403, 403]
    assert gql == ["permission_denied"] * 3
    with in_tenant("alpha"):
        assert list(Invitation.objects.values_list("email", "revoked_at")) == [("rita@alpha.example", None)]
    assert len(mail) == 1


def test_invitations_stay_in_their_tenant(alpha, beta, mail):
    token = invite(alpha, mail)
    with in_tenant("alpha"):
        invitation = Invitation.objects.get().pk

    elsewhere = Api("beta").post(ACCEPT, {"token": token, "password": NEW_PASSWORD})
    beta_list = admin(beta).get(INVITATIONS).json()["results"]
    beta_revoke = admin(beta).post(f"{INVITATIONS}/{invitation}/revoke")
    alpha_key_on_beta = Api("beta", auth=key_auth(alpha.api_key)).get(INVITATIONS)
    by_host = Api("alpha", by_host=True).post(ACCEPT, {"token": token, "password": NEW_PASSWORD})

    assert error_field(elsewhere) == (400, "token")
    assert beta_list == []
    assert beta_revoke.status_code == 404
    assert alpha_key_on_beta.status_code == 403
    assert by_host.status_code == 201
    with in_tenant("beta"):
        assert not User.objects.filter(email="rita@alpha.example").exists()


def test_a_password_reset_sets_a_new_password_and_logs_out_everywhere(alpha, mail, make_user, login):
    make_user("alpha", "analyst", "ana@alpha.example")
    pair = Api("alpha").post("/api/v1/auth/token", {"email": "ana@alpha.example", "password": PASSWORD}).json()
    first = Api("alpha").post(RESET, {"email": "ana@alpha.example"})
    second = Api("alpha").post(RESET, {"email": "ANA@alpha.example"})
    older, newer = token_of(mail[0]), token_of(mail[1])

    confirmed = Api("alpha").post(CONFIRM, {"token": newer, "password": NEW_PASSWORD})
    reused = Api("alpha").post(CONFIRM, {"token": newer, "password": "yet-another-passphrase"})
    outstanding = Api("alpha").post(CONFIRM, {"token": older, "password": "yet-another-passphrase"})
    old_login = Api("alpha").post("/api/v1/auth/token", {"email": "ana@alpha.example", "password": PASSWORD})
    old_refresh = Api("alpha").post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]})
    old_access = Api("alpha", auth=f"Bearer {pair['access']}").get("/api/v1/me")

    assert (first.status_code, second.status_code) == (202, 202)
    assert mail[0].to == ["ana@alpha.example"]
    assert mail[0].subject == "Reset your Vigil password for Alpha PR"
    assert "/password-reset/confirm?tenant=alpha&token=" in mail[0].body
    assert confirmed.status_code == 200 and confirmed.json()["email"] == "ana@alpha.example"
    assert error_field(reused) == (400, "token")
    assert error_field(outstanding) == (400, "token")
    assert old_login.status_code == 401
    assert old_refresh.status_code == 401
    assert old_access.status_code == 401
    assert login("alpha", "ana@alpha.example", NEW_PASSWORD)


def test_a_reset_request_never_says_whether_the_address_has_an_account(alpha, mail, make_user):
    inactive = make_user("alpha", "viewer", "gone@alpha.example")
    with in_tenant("alpha"):
        User.objects.filter(pk=inactive.pk).update(is_active=False)

    known = Api("alpha").post(RESET, {"email": alpha.admin_email})
    unknown = Api("alpha").post(RESET, {"email": "nobody@alpha.example"})
    gone = Api("alpha").post(RESET, {"email": "gone@alpha.example"})
    gql = Api("alpha").graphql('mutation { requestPasswordReset(email: "nobody@alpha.example") }')

    assert known.status_code == unknown.status_code == gone.status_code == 202
    assert known.json() == unknown.json() == gone.json()
    assert gql.json() == {"data": {"requestPasswordReset": True}}
    assert [m.to for m in mail] == [[alpha.admin_email]]


def test_a_reset_works_over_graphql_and_an_expired_token_is_refused(alpha, mail, login):
    Api("alpha").graphql(f'mutation {{ requestPasswordReset(email: "{alpha.admin_email}") }}')
    Api("alpha").graphql(f'mutation {{ requestPasswordReset(email: "{alpha.admin_email}") }}')
    expired, fresh = token_of(mail[0]), token_of(mail[1])
    with in_tenant("alpha"):
        older = PasswordReset.objects.earliest("id")
        PasswordReset.objects.filter(pk=older.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    confirm = "mutation($t: String!, $p: String!) { confirmPasswordReset(token: $t, password: $p) { email } }"

    refused = Api("alpha").graphql(confirm, {"t": expired, "p": NEW_PASSWORD}).json()
    done = Api("alpha").graphql(confirm, {"t": fresh, "p": NEW_PASSWORD}).json()

    assert refused["errors"][0]["extensions"]["field"] == "token"
    assert done["data"]["confirmPasswordReset"] == {"email": alpha.admin_email}
    assert login("alpha", alpha.admin_email, NEW_PASSWORD)


def test_a_reset_stays_in_its_tenant(alpha, beta, mail):
    Api("beta").post(RESET, {"email": beta.admin_email})
    token = token_of(mail[0])
    Api("beta").post(RESET, {"email": "someone@alpha.example"})

    elsewhere = Api("alpha").post(CONFIRM, {"token": token, "password": NEW_PASSWORD})

    assert error_field(elsewhere) == (400, "token")
    assert [m.to for m in mail] == [[beta.admin_email]]


def test_the_endpoints_without_credentials_are_rate_limited(alpha, mail, settings):
    settings.ACCOUNT_MAX_REQUESTS_PER_EMAIL = 2
    settings.ACCOUNT_MAX_REQUESTS_PER_ADDRESS = 3
    client = Api("alpha", address="198.51.100.7")

    per_email = [client.post(RESET, {"email": "limit@alpha.example"}).status_code for _ in range(3)]
    per_address = [
        client.post(ACCEPT, {"token": "nope", "password": NEW_PASSWORD}).status_code,
        client.post(CONFIRM, {"token": "nope", "password": NEW_PASSWORD}).status_code,
    ]
    other = Api("alpha", address="198.51.100.8").post(ACCEPT, {"token": "nope", "password": NEW_PASSWORD})

    assert per_email == [202, 202, 429]
    assert per_address == [429, 429]
    assert other.status_code == 400
    assert client.post(CONFIRM, {"token": "nope", "password": NEW_PASSWORD}).headers["Retry-After"]


def test_invitations_and_resets_are_audited_without_their_tokens(alpha, mail, make_user):
    token = invite(alpha, mail)
    Api("alpha").post(ACCEPT, {"token": token, "password": NEW_PASSWORD})
    Api("alpha").post(RESET, {"email": "rita@alpha.example"})
    reset = token_of(mail[-1])
    Api("alpha").post(CONFIRM, {"token": reset, "password": "yet-another-passphrase"})

    with in_tenant("alpha"):
        logged = list(AuditEntry.objects.order_by("id").values_list("action", "actor_type", "actor_name"))
        stored = str(list(AuditEntry.objects.values()))

    assert [entry for entry in logged if entry[0].startswith(("invitation.", "auth.password"))] == [
        ("invitation.created", "api_key", "default"),
        ("invitation.accepted", "user", "rita@alpha.example"),
        ("auth.password_reset_requested", "anonymous", "rita@alpha.example"),
        ("auth.password_reset", "user", "rita@alpha.example"),
    ]
    assert token not in stored and reset not in stored and NEW_PASSWORD not in stored


def test_an_invitation_that_rolls_back_sends_no_mail(alpha, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    from tenants.identity.invitations import invitation_create
    from tenants.identity.principals import SYSTEM

    with in_tenant("alpha"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            invitation_create(actor=SYSTEM, email="late@alpha.example", role="viewer")
            raise RuntimeError("the rest of the change failed")
        assert not Invitation.objects.exists()

    assert (callbacks, mailoutbox) == ([], [])


def test_a_billing_admin_resets_their_password_on_the_public_host(tenants, mail):
    User.objects.create_user(email="billing@vigil.example", password=PASSWORD, role="billing_admin")

    asked = Api(None).post(RESET, {"email": "billing@vigil.example"})
    (message,) = mail
    confirmed = Api(None).post(CONFIRM, {"token": token_of(message), "password": NEW_PASSWORD})
    on_tenant = Api("alpha").post("/api/v1/auth/token", {"email": "billing@vigil.example", "password": NEW_PASSWORD})
    public = Api(None).post("/api/v1/auth/token", {"email": "billing@vigil.example", "password": NEW_PASSWORD})

    assert asked.status_code == 202
    assert "tenant=" not in message.body
    assert (confirmed.status_code, confirmed.json()["role"]) == (200, "billing_admin")
    assert (on_tenant.status_code, public.status_code) == (401, 200)
