"""Session-wide test tenants on the real services: created once per test process, not per test or class."""

import json
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.celery import app as celery_app
from monitoring.search.index import tenant_index_delete
from tenants.context import use_public_schema
from tenants.identity.models import ApiKey, User
from tenants.identity.principals import SYSTEM
from tenants.identity.roles import Role
from tenants.identity.services import api_key_create, user_create
from tenants.models import Tenant
from tenants.services import TenantCreated, tenant_create

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: Any, worker_id: str
) -> Iterator[dict[str, TenantCreated]]:
    # Each xdist worker has its own test database; give it its own index names and Celery queue too.
    # VIGIL_TEST_NAMESPACE separates whole test runs sharing the services (e.g. two checkouts at once).
    namespace = os.environ.get("VIGIL_TEST_NAMESPACE", "vigiltest")
    settings.ES_INDEX_PREFIX = f"{namespace}-{worker_id}"
    celery_app.conf.task_default_queue = f"{namespace}-{worker_id}"
    with django_db_blocker.unblock():
        for slug in ("alpha", "beta"):
            tenant_index_delete(slug)
        created = {
            slug: tenant_create(
                slug=slug, name=f"{slug.title()} PR", admin_email=f"admin@{slug}.example", admin_password=PASSWORD
            )
            for slug in ("alpha", "beta")
        }
    yield created
    with django_db_blocker.unblock():
        for slug in created:
            tenant_index_delete(slug)


@pytest.fixture
def tenants(django_db_setup: dict[str, TenantCreated], db: None) -> dict[str, TenantCreated]:
    return django_db_setup


@pytest.fixture
def alpha(tenants: dict[str, TenantCreated]) -> TenantCreated:
    return tenants["alpha"]


@pytest.fixture
def beta(tenants: dict[str, TenantCreated]) -> TenantCreated:
    return tenants["beta"]


def tenant_obj(slug: str) -> Tenant:
    return Tenant.objects.get(slug=slug)


class Api:
    """A test client for one tenant, reached by header (default) or by host."""

    def __init__(
        self, slug: str | None, *, by_host: bool = False, auth: str | None = None, address: str = "127.0.0.1"
    ) -> None:
        self.client = Client(REMOTE_ADDR=address)
        self.slug = slug
        self.by_host = by_host
        self.auth = auth

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.slug and not self.by_host:
            headers["X-Tenant"] = self.slug
        if self.auth:
            headers["Authorization"] = self.auth
        headers.update(extra or {})
        return headers

    def _host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}" if self.slug and self.by_host else "testserver"

    def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs: dict[str, Any] = {"headers": self._headers(headers), "HTTP_HOST": self._host()}
        if body is not None or method in ("post", "patch", "put"):
            # Like an HTTP client posting JSON; an action without a body sends none.
            kwargs["data"] = body if body is not None else ""
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("get", path, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("post", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("patch", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("delete", path, **kw)

    def graphql(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.request("post", "/graphql/", {"query": query, "variables": variables or {}}, **kw)


def key_auth(raw: str) -> str:
    return f"Api-Key {raw}"


# Served by the public host only (billing admins, Stripe); tenant hosts answer 404.
PUBLIC_ONLY_PATHS = ("/api/v1/platform/", "/api/v1/billing/stripe-webhook")


@pytest.fixture
def billing_admin(tenants: dict[str, TenantCreated]) -> Api:
    """A billing admin logged in on the public host."""
    use_public_schema()
    user_create(actor=SYSTEM, email="billing@vigil.example", password=PASSWORD, role=Role.BILLING_ADMIN)
    pair = Api(None).post("/api/v1/auth/token", {"email": "billing@vigil.example", "password": PASSWORD})
    assert pair.status_code == 200, pair.content
    return Api(None, auth=f"Bearer {pair.json()['access']}")


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The items of a GraphQL connection's page."""
    return [edge["node"] for edge in connection["edges"]]


@pytest.fixture
def make_user(tenants: dict[str, TenantCreated]) -> Any:
    def make(slug: str, role: str, email: str | None = None) -> User:
        with tenant_context(tenant_obj(slug)):
            return User.objects.create_user(email=email or f"{role}@{slug}.example", password=PASSWORD, role=role)

    return make


@pytest.fixture
def make_key(tenants: dict[str, TenantCreated]) -> Any:
    def make(slug: str, role: str = Role.ADMIN) -> tuple[ApiKey, str]:
        with tenant_context(tenant_obj(slug)):
            return api_key_create(actor=SYSTEM, name=f"{role} key", role=role)

    return make


@pytest.fixture
def login() -> Any:
    def do(slug: str, email: str, password: str = PASSWORD) -> str:
        response = Api(slug).post("/api/v1/auth/token", {"email": email, "password": password})
        assert response.status_code == 200, response.content
        return f"Bearer {response.json()['access']}"

    return do


_item_ids = count(1)


@pytest.fixture
def item() -> Callable[..., dict[str, Any]]:
    """A valid mention item; keyword arguments override fields."""

    def make(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "platform": "weibo",
            "external_id": f"m{next(_item_ids)}",
            "text": "这家店的服务还不错",
            "published_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "author": {"external_id": "u1", "name": "小王", "followers": 120, "verified": False},
            "metrics": {"likes": 1, "reposts": 2, "comments": 3, "views": 40},
        }
        base.update(fields)
        return base

    return make


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    use_public_schema()
