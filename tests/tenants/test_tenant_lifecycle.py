import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import tenant_context

from monitoring.search.client import es_client
from monitoring.search.index import alias_indices, alias_name
from tenants.identity.models import ApiKey, User
from tenants.models import Domain, Tenant
from tenants.services import tenant_delete
from tests.conftest import Api, key_auth


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def test_tenant_create_command_makes_schema_domain_admin_key_and_index(tenants, capsys):
    try:
        call_command("tenant_create", slug="gamma-pr", name="Gamma PR", admin_email="Boss@Gamma.example", json=True)
        created = json.loads(capsys.readouterr().out)

        assert created["slug"] == "gamma-pr"
        assert created["schema"] == "t_gamma_pr"
        assert created["domain"] == "gamma-pr.localhost"
        assert created["admin_email"] == "boss@gamma.example"
        assert created["search_index"] == alias_name("gamma-pr")
        assert schema_exists("t_gamma_pr")
        assert Domain.objects.filter(domain="gamma-pr.localhost", tenant__slug="gamma-pr").exists()
        with tenant_context(Tenant.objects.get(slug="gamma-pr")):
            assert list(User.objects.values_list("email", "role")) == [("boss@gamma.example", "admin")]
            assert ApiKey.objects.count() == 1
        assert len(alias_indices("gamma-pr")) == 1
        # The printed key and password work straight away.
        me = Api("gamma-pr", auth=key_auth(created["api_key"])).get("/api/v1/me").json()
        assert me["role"] == "admin"
        token = Api("gamma-pr").post(
            "/api/v1/auth/token", {"email": "boss@gamma.example", "password": created["admin_password"]}
        )
        assert token.status_code == 200
    finally:
        if Tenant.objects.filter(slug="gamma-pr").exists():
            with connection.cursor() as cursor:
                # The test runs in one transaction: fire deferred FK checks so the schema can be dropped.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            tenant_delete(slug="gamma-pr")

    assert not schema_exists("t_gamma_pr")
    assert not Tenant.objects.filter(slug="gamma-pr").exists()
    assert alias_indices("gamma-pr") == []
    assert not es_client().indices.get(index=f"{alias_name('gamma-pr')}_v*", expand_wildcards="all")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"slug": "Bad Slug!"}, "slug: A slug is 3-40 characters"),
        ({"slug": "public"}, "slug: 'public' is reserved."),
        ({"admin_email": "not-an-email"}, "admin_email: Enter a valid email address."),
        ({"name": "   "}, "name: Name is required."),
    ],
)
def test_tenant_create_rejects_bad_input_and_writes_nothing(tenants, options, message):
    arguments = {"slug": "delta", "name": "Delta", "admin_email": "a@delta.example", **options}
    before = Tenant.objects.count()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("tenant_create", **arguments)

    assert Tenant.objects.count() == before


def test_tenant_create_refuses_a_taken_slug(tenants):
    with pytest.raises(CommandError, match=r"slug: Tenant 'alpha' already exists\."):
        call_command("tenant_create", slug="alpha", name="Again", admin_email="x@alpha.example")
