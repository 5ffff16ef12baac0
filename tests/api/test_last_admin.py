"""A tenant keeps at least one active admin principal (user or API key): the last one cannot be demoted,
deactivated or revoked, also when two admins try it at the same time."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from api.models import ApiKey, User
from api.principals import Principal
from api.services import user_update
from tenants.models import Tenant
from tests.conftest import PASSWORD, Api, key_auth


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


@pytest.fixture
def two_admin_users(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[User, User]]:
    """Committed (other connections must see them): alpha's only admins are two users; its admin key is revoked."""
    with django_db_blocker.unblock():
        with in_tenant("alpha"):
            keys = list(ApiKey.objects.filter(role="admin", revoked_at__isnull=True).values_list("pk", flat=True))
            ApiKey.objects.filter(pk__in=keys).update(revoked_at=timezone.now())
            first = User.objects.get(email="admin@alpha.example")
            second = User.objects.create_user(email="second@alpha.example", password=PASSWORD, role="admin")
        try:
            yield first, second
        finally:
            with in_tenant("alpha"):
                second.delete()
                User.objects.filter(pk=first.pk).update(role="admin", is_active=True)
                ApiKey.objects.filter(pk__in=keys).update(revoked_at=None)


def _wait_until_blocked_on_a_lock(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the concurrent demotion never waited for the lock")


def test_two_admins_demoting_each_other_at_once_leave_one_admin(two_admin_users):
    first, second = two_admin_users
    token = Api("alpha").post("/api/v1/auth/token", {"email": second.email, "password": PASSWORD}).json()["access"]
    answers: list[Any] = []

    def second_demotes_first() -> None:
        try:
            answers.append(Api("alpha", auth=f"Bearer {token}").patch(f"/api/v1/users/{first.pk}", {"role": "viewer"}))
        finally:
            connections.close_all()

    with in_tenant("alpha"):
        with transaction.atomic():
            user_update(actor=Principal.for_user(first, "alpha"), user_id=second.pk, role="viewer")
            other = threading.Thread(target=second_demotes_first)
            other.start()
            _wait_until_blocked_on_a_lock()  # the other request waits for this demotion's row locks
        other.join(timeout=30)
        admins = list(User.objects.filter(role="admin", is_active=True).values_list("email", flat=True))

    (answer,) = answers
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "last_admin"
    assert admins == [first.email]
