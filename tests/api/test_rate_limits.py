"""Abuse limits: failed logins per account and per address, and the API-wide request limit with RateLimit headers."""

import itertools
import secrets
import time

import pytest
from django_tenants.utils import tenant_context

from tenants.identity.models import User
from tenants.models import Tenant
from tests.conftest import PASSWORD, Api, key_auth

_addresses = itertools.count(1)


def address() -> str:
    """A client address no other test (or earlier run) has used."""
    n = next(_addresses)
    return f"10.{secrets.randbelow(200) + 1}.{n // 250}.{n % 250 + 1}"


def new_user(slug: str = "alpha", email: str | None = None) -> str:
    email = email or f"u{secrets.token_hex(4)}@{slug}.example"
    with tenant_context(Tenant.objects.get(slug=slug)):
        User.objects.create_user(email=email, password=PASSWORD, role="viewer")
    return email


def log_in(email: str, password: str, *, slug: str = "alpha", client: str = "127.0.0.1", **headers: str):
    return Api(slug, address=client).post("/api/v1/auth/token", {"email": email, "password": password}, headers=headers)


def fresh_minute() -> None:
    """Fixed windows restart on the minute: start a counting test well inside one."""
    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.1)


@pytest.fixture
def login_limits(settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 1000
    settings.LOGIN_WINDOW_SECONDS = 900
    return settings


def test_sixth_login_after_five_failures_is_429_even_with_the_right_password(alpha, login_limits):
    email, client = new_user(), address()

    failures = [log_in(email, "wrong-password", client=client).status_code for _ in range(5)]
    locked = log_in(email, "wrong-password", client=client)
    right = log_in(email, PASSWORD, client=client)

    assert failures == [401] * 5
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(locked["Retry-After"]) <= 900
    assert right.status_code == 429


def test_lockout_is_per_account_from_any_address(alpha, login_limits):
    email, other = new_user(), new_user()

    for _ in range(5):
        log_in(email, "wrong-password", client=address())

    assert log_in(email, PASSWORD, client=address()).status_code == 429
    assert log_in(other, PASSWORD, client=address()).status_code == 200


def test_lockout_is_per_tenant(alpha, beta, login_limits):
    email = f"same{secrets.token_hex(4)}@example.com"
    new_user("alpha", email)
    new_user("beta", email)

    for _ in range(5):
        log_in(email, "wrong-password", slug="alpha", client=address())

    assert log_in(email, PASSWORD, slug="beta", client=address()).status_code == 200


def test_successful_login_resets_the_account_counter(alpha, login_limits):
    email, client = new_user(), address()

    first = [log_in(email, "wrong-password", client=client).status_code for _ in range(4)]
    ok = log_in(email, PASSWORD, client=client).status_code
    second = [log_in(email, "wrong-password", client=client).status_code for _ in range(4)]

    assert (first, ok, second) == ([401] * 4, 200, [401] * 4)


def test_right_password_works_again_after_the_window(alpha, login_limits):
    login_limits.LOGIN_WINDOW_SECONDS = 10
    email, client = new_user(), address()
    time.sleep(10 - time.time() % 10)  # windows are fixed: start at the beginning of one
    for _ in range(5):
        log_in(email, "wrong-password", client=client)
    locked = log_in(email, PASSWORD, client=client)

    time.sleep(int(locked["Retry-After"]) + 0.2)

    assert locked.status_code == 429
    assert log_in(email, PASSWORD, client=client).status_code == 200


def test_failures_per_address_lock_that_address_across_accounts(alpha, login_limits):
    login_limits.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    client = address()

    statuses = [log_in(new_user(), "wrong-password", client=client).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]
    assert log_in(new_user(), PASSWORD, client=address()).status_code == 200


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(alpha, login_limits):
    login_limits.LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    login_limits.TRUSTED_PROXIES = ["127.0.0.1"]
    untrusted, behind_proxy = address(), address()

    # A client that is not our proxy cannot pick a fresh address per attempt.
    spoofed = [
        log_in(new_user(), "wrong-password", client=untrusted, **{"X-Forwarded-For": address()}).status_code
        for _ in range(3)
    ]
    # Behind nginx each client counts on its own, and what it prepends to the header does not help it.
    proxied = [
        log_in(
            new_user(), "wrong-password", client="127.0.0.1", **{"X-Forwarded-For": f"{address()}, {behind_proxy}"}
        ).status_code
        for _ in range(3)
    ]
    neighbour = log_in(new_user(), PASSWORD, client="127.0.0.1", **{"X-Forwarded-For": address()})

    assert spoofed == [401, 401, 429]
    assert proxied == [401, 401, 429]
    assert neighbour.status_code == 200


def test_api_requests_carry_ratelimit_headers_and_rest_and_graphql_count_together(alpha, make_key, settings):
    settings.RATE_LIMIT_PER_MINUTE = 3
    fresh_minute()
    _, raw = make_key("alpha", "viewer")
    api = Api("alpha", auth=key_auth(raw))

    first = api.get("/api/v1/me")
    second = api.graphql("{ me { role } }")
    third = api.get("/api/v1/me")
    over = api.graphql("{ me { role } }")
    over_rest = api.get("/api/v1/me")

    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert [r["RateLimit-Remaining"] for r in (first, second, third)] == ["2", "1", "0"]
    assert first["RateLimit-Limit"] == "3"
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    assert over.status_code == 429
    assert over.json()["errors"][0]["extensions"]["code"] == "rate_limited"
    assert over_rest.status_code == 429
    assert over_rest.json()["error"]["code"] == "rate_limited"
    assert 0 < int(over_rest["Retry-After"]) <= 60


def test_each_key_and_user_has_its_own_limit(alpha, make_key, login, settings):
    settings.RATE_LIMIT_PER_MINUTE = 2
    fresh_minute()
    _, one = make_key("alpha", "viewer")
    _, two = make_key("alpha", "viewer")
    user = Api("alpha", auth=login("alpha", new_user()))

    for _ in range(3):
        Api("alpha", auth=key_auth(one)).get("/api/v1/me")

    assert Api("alpha", auth=key_auth(one)).get("/api/v1/me").status_code == 429
    assert Api("alpha", auth=key_auth(two)).get("/api/v1/me").status_code == 200
    assert user.get("/api/v1/me").status_code == 200


def test_anonymous_and_bad_credential_requests_count_per_client_address(alpha, settings):
    settings.RATE_LIMIT_ANONYMOUS_PER_MINUTE = 2
    fresh_minute()
    client = address()

    statuses = [Api("alpha", auth="Bearer not.a.jwt", address=client).get("/api/v1/me").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]
    assert Api("alpha", address=address()).get("/api/v1/me").status_code == 401


def test_health_checks_are_not_rate_limited(tenants, settings):
    settings.RATE_LIMIT_ANONYMOUS_PER_MINUTE = 1
    client = address()

    statuses = [Api(None, address=client).get("/healthz").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
