"""The billing admin's platform API (public host): made by `billing_admin_create`, it lists, searches and filters
tenants, changes their plan, suspends and resumes them, and manages plans; tenant users never reach it, and billing
admins never reach tenant data."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from graphql import build_schema

from api.graphql.schema import public_schema, schema
from monitoring.search.index import tenant_index_delete
from tenants.models import Tenant
from tenants.services import tenant_delete
from tests.conftest import PASSWORD, Api, key_auth

TENANTS = "/api/v1/platform/tenants"
PLANS = "/api/v1/platform/plans"


@pytest.fixture
def billing(tenants):
    out = StringIO()
    call_command(
        "billing_admin_create", "--email", "Billing@Vigil.example", "--password", PASSWORD, "--json", stdout=out
    )
    login = json.loads(out.getvalue())
    assert login["email"] == "billing@vigil.example" and login["role"] == "billing_admin"
    pair = Api(None).post("/api/v1/auth/token", {"email": login["email"], "password": login["password"]})
    assert pair.status_code == 200, pair.content
    return Api(None, auth=f"Bearer {pair.json()['access']}")


def test_the_command_refuses_a_second_admin_with_the_same_email(billing):
    with pytest.raises(Exception, match="email"):
        call_command("billing_admin_create", "--email", "billing@vigil.example", stdout=StringIO())


def test_a_billing_admin_lists_searches_filters_and_orders_tenants(billing):
    listed = billing.get(TENANTS).json()
    assert [t["slug"] for t in listed["results"]] == ["alpha", "beta"]
    assert listed["results"][0]["plan"] == "trial" and listed["results"][0]["status"] == "trialing"
    assert set(listed) == {"results", "next_cursor", "previous_cursor"}

    assert [t["slug"] for t in billing.get(f"{TENANTS}?search=BETA").json()["results"]] == ["beta"]
    assert [t["slug"] for t in billing.get(f"{TENANTS}?ordering=-slug").json()["results"]] == ["beta", "alpha"]
    billing.patch(f"{TENANTS}/beta", {"plan": "team"})
    assert [t["slug"] for t in billing.get(f"{TENANTS}?plan=team").json()["results"]] == ["beta"]
    assert billing.get(f"{TENANTS}?status=suspended").json()["results"] == []
    page = billing.get(f"{TENANTS}?page_size=1").json()
    assert [
        t["slug"] for t in billing.get(f"{TENANTS}?page_size=1&cursor={page['next_cursor']}").json()["results"]
    ] == ["beta"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?colour=red", "colour"),
        ("?status=broke", "status"),
        ("?ordering=plan", "ordering"),
        ("?page_size=0", "page_size"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(billing, query, field):
    response = billing.get(f"{TENANTS}{query}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_billing_admin_changes_plan_suspends_resumes_and_sets_the_trial_end(billing):
    changed = billing.patch(f"{TENANTS}/alpha", {"plan": "agency", "trial_end": "2030-01-31T00:00:00Z"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["plan"] == "agency"
    assert changed.json()["limits"]["seats"] == 50
    assert changed.json()["trial_end"].startswith("2030-01-31")

    assert billing.patch(f"{TENANTS}/alpha", {"status": "suspended"}).json()["status"] == "suspended"
    assert billing.get(f"{TENANTS}/alpha").json()["status"] == "suspended"
    assert billing.patch(f"{TENANTS}/alpha", {"status": "active"}).json()["status"] == "active"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"plan": "gold"}, "plan"), ({"status": "canceled"}, "status"), ({"trial_end": "soon"}, "trial_end")],
)
def test_bad_tenant_changes_are_a_400_naming_the_field(billing, body, field):
    response = billing.patch(f"{TENANTS}/alpha", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert billing.get(f"{TENANTS}/alpha").json()["plan"] == "trial"


def test_an_unknown_tenant_is_a_404(billing):
    assert billing.get(f"{TENANTS}/nobody").status_code == 404
    assert billing.patch(f"{TENANTS}/nobody", {"plan": "team"}).status_code == 404


def test_a_billing_admin_creates_a_tenant_on_a_plan_as_tenant_create_does(billing):
    tenant_index_delete("gamma")
    try:
        response = billing.post(
            TENANTS, {"slug": "gamma", "name": "Gamma PR", "admin_email": "admin@gamma.example", "plan": "team"}
        )
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["plan"] == "team" and created["schema"] == "t_gamma"
        # The tenant's own admin can use it at once.
        me = Api("gamma", auth=key_auth(created["api_key"])).get("/api/v1/me")
        assert me.status_code == 200 and me.json()["tenant"]["slug"] == "gamma"
        assert (
            billing.post(TENANTS, {"slug": "gamma", "name": "Again", "admin_email": "a@b.example"}).status_code == 409
        )
    finally:
        if Tenant.objects.filter(slug="gamma").exists():
            with connection.cursor() as cursor:
                # The test runs in one transaction: fire deferred FK checks so the schema can be dropped.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            tenant_delete(slug="gamma")


def test_creating_a_tenant_on_an_unknown_plan_makes_nothing(billing):
    response = billing.post(
        TENANTS, {"slug": "delta", "name": "Delta", "admin_email": "a@delta.example", "plan": "gold"}
    )

    assert response.status_code == 400 and response.json()["error"]["field"] == "plan"
    assert billing.get(f"{TENANTS}/delta").status_code == 404


def test_a_billing_admin_creates_and_edits_plans(billing):
    created = billing.post(
        PLANS, {"code": "starter", "name": "Starter", "limits": {"seats": 2}, "features": {"graphql": False}}
    )
    assert created.status_code == 201, created.content
    assert billing.post(PLANS, {"code": "starter", "name": "Again"}).status_code == 409

    edited = billing.patch(f"{PLANS}/starter", {"limits": {"seats": 5, "brands": None}})
    assert edited.json()["limits"] == {"seats": 5}
    assert billing.get(f"{PLANS}/starter").json()["limits"] == {"seats": 5}
    assert "starter" in [p["code"] for p in billing.get(PLANS).json()["results"]]
    assert billing.get(f"{PLANS}/nothing").status_code == 404


def test_a_plan_change_reaches_its_tenants_at_once(billing):
    billing.patch(f"{TENANTS}/alpha", {"plan": "team"})
    billing.patch(f"{PLANS}/team", {"limits": {"seats": 99}})

    assert billing.get(f"{TENANTS}/alpha").json()["limits"] == {"seats": 99}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "x", "name": "X"}, "code"),
        ({"code": "good", "name": " "}, "name"),
        ({"code": "good", "name": "Good", "limits": {"moons": 1}}, "limits.moons"),
        ({"code": "good", "name": "Good", "limits": {"seats": -1}}, "limits.seats"),
        ({"code": "good", "name": "Good", "features": {"teleport": True}}, "features.teleport"),
    ],
)
def test_bad_plans_are_a_400_naming_the_field(billing, body, field):
    response = billing.post(PLANS, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field


def test_tenant_users_never_reach_the_platform_api(alpha, make_user, login):
    tenant_key = key_auth(alpha.api_key)
    # On their tenant's host the platform API does not exist.
    assert Api("alpha", auth=tenant_key).get(TENANTS).status_code == 404
    assert Api("alpha", auth=tenant_key).get(PLANS).status_code == 404
    # On the public host a tenant's credentials are refused.
    for auth in (tenant_key, login("alpha", alpha.admin_email)):
        response = Api(None, auth=auth).get(TENANTS)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "wrong_tenant"
    assert Api(None).get(TENANTS).status_code == 401


def test_billing_admins_never_reach_tenant_data(billing):
    for path in ("/api/v1/users", "/api/v1/mentions", "/api/v1/rules"):
        response = Api("alpha", auth=billing.auth).get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "wrong_tenant"


PLATFORM_QUERY = (
    "query($search: String!, $status: [BillingStatus!], $first: Int = 50, $after: String) {"
    " platformTenants(search: $search, status: $status, first: $first, after: $after) {"
    " edges { node { slug plan status } } pageInfo { hasNextPage endCursor } totalCount } }"
)
SUSPEND = 'mutation { updatePlatformTenant(slug: "alpha", status: SUSPENDED) { slug status } }'


def tenant_page(billing, **variables):
    body = billing.graphql(PLATFORM_QUERY, {"search": "", **variables}).json()
    assert "errors" not in body, body
    return body["data"]["platformTenants"]


def test_graphql_lists_and_suspends_tenants_through_the_same_services(billing):
    listed = tenant_page(billing, search="alp")
    assert [edge["node"] for edge in listed["edges"]] == [{"slug": "alpha", "plan": "trial", "status": "TRIALING"}]
    assert listed["totalCount"] == 1

    suspended = billing.graphql(SUSPEND).json()
    assert suspended["data"]["updatePlatformTenant"]["status"] == "SUSPENDED"
    assert billing.get(f"{TENANTS}/alpha").json()["status"] == "suspended"
    only_suspended = tenant_page(billing, status=["SUSPENDED"])
    assert [edge["node"]["slug"] for edge in only_suspended["edges"]] == ["alpha"]

    bad = billing.graphql('mutation { updatePlatformTenant(slug: "alpha", plan: "gold") { slug } }').json()
    assert bad["errors"][0]["extensions"]["field"] == "plan"

    plans = billing.graphql("{ platformPlans { edges { node { code } } totalCount } }").json()["data"]["platformPlans"]
    assert {"trial", "team"} <= {edge["node"]["code"] for edge in plans["edges"]}
    assert plans["totalCount"] == len(plans["edges"])


def test_graphql_pages_tenants_by_slug(billing):
    first = tenant_page(billing, first=1)
    assert [edge["node"]["slug"] for edge in first["edges"]] == ["alpha"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 2

    second = tenant_page(billing, first=1, after=first["pageInfo"]["endCursor"])
    assert [edge["node"]["slug"] for edge in second["edges"]] == ["beta"]
    assert not second["pageInfo"]["hasNextPage"]


def test_graphql_refuses_a_billing_status_it_does_not_know(billing):
    body = billing.graphql(PLATFORM_QUERY, {"search": "", "status": ["suspended"]}).json()

    assert "BillingStatus" in body["errors"][0]["message"]


def test_graphql_refuses_tenant_users_the_platform_operations(alpha):
    on_tenant_host = Api("alpha", auth=key_auth(alpha.api_key)).graphql(PLATFORM_QUERY, {"search": ""}).json()
    on_public_host = Api(None, auth=key_auth(alpha.api_key)).graphql(PLATFORM_QUERY, {"search": ""}).json()

    # A tenant's schema has no platform field at all; on the public host a tenant credential is the wrong one.
    assert on_tenant_host["errors"][0]["extensions"]["code"] == "graphql_validation"
    assert "Cannot query field 'platformTenants'" in on_tenant_host["errors"][0]["message"]
    assert on_public_host.get("data") is None
    assert on_public_host["errors"][0]["extensions"]["code"] in ("wrong_tenant", "permission_denied")


def test_each_host_s_graphql_schema_holds_only_what_that_host_serves():
    public = build_schema(public_schema.as_str())
    tenant = build_schema(schema.as_str())
    assert public.query_type and public.mutation_type and tenant.query_type and tenant.mutation_type
    public_fields = set(public.query_type.fields) | set(public.mutation_type.fields)
    tenant_fields = set(tenant.query_type.fields) | set(tenant.mutation_type.fields)

    assert {f for f in public_fields if not f.startswith(("platform", "createPlatform", "updatePlatform"))} == {
        "me",
        "deletePlatformTenant",
        "createPlan",
        "updatePlan",
        "requestPasswordReset",
        "confirmPasswordReset",
    }
    assert not {f for f in tenant_fields if "latform" in f} | ({"createPlan", "updatePlan"} & tenant_fields)
    assert {"me", "cases", "searchMentions", "billing", "requestPasswordReset"} <= tenant_fields


def test_the_schema_documents_platform_operations_with_a_credential_and_no_tenant(tenants):
    paths = Api(None).get("/api/schema/?format=json").json()["paths"]
    platform = {(m, p): op for p, ops in paths.items() if p.startswith("/api/v1/platform/") for m, op in ops.items()}

    assert {op["operationId"] for op in platform.values()} == {
        "platform_tenants_list",
        "platform_tenants_create",
        "platform_tenants_retrieve",
        "platform_tenants_update",
        "platform_tenants_delete",
        "platform_plans_list",
        "platform_plans_create",
        "platform_plans_retrieve",
        "platform_plans_update",
        "platform_tenants_invoices_list",
        "platform_usage_list",
        "platform_metrics_retrieve",
    }
    for key, op in platform.items():
        assert op["security"] == [{"JWT": []}, {"ApiKey": []}], key
        assert op["summary"] and op["tags"] == ["platform"], key
        assert "402" not in op["responses"], key
    webhook = paths["/api/v1/billing/stripe-webhook"]["post"]
    assert "security" not in webhook and webhook["operationId"] == "billing_stripe_webhook"


def test_graphql_sets_a_plan_s_price_as_rest_does(billing_admin):
    created = billing_admin.graphql(
        'mutation { createPlan(code: "pro", name: "Pro", monthlyPriceCents: 2900, currency: "eur") '
        "{ code monthlyPriceCents currency } }"
    ).json()["data"]["createPlan"]
    updated = billing_admin.graphql(
        'mutation { updatePlan(code: "pro", monthlyPriceCents: 3900) { monthlyPriceCents currency } }'
    ).json()["data"]["updatePlan"]
    refused = billing_admin.graphql('mutation { updatePlan(code: "pro", currency: "EURO") { code } }').json()

    assert created == {"code": "pro", "monthlyPriceCents": 2900, "currency": "eur"}
    assert updated == {"monthlyPriceCents": 3900, "currency": "eur"}
    assert refused["errors"][0]["extensions"]["field"] == "currency"
    assert billing_admin.get("/api/v1/platform/plans/pro").json()["monthly_price_cents"] == 3900
