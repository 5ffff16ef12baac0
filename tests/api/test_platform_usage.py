"""The billing admin's usage views (public host): usage per tenant per day (and as CSV), platform metrics (tenants
by status, MRR, mentions per day), a tenant's invoices from Stripe (stripe-mock) and its usage this period against
its plan; tenant users never reach them."""

import csv
import io

from tenants.billing.models import BillingAccount, Plan
from tenants.billing.usage import mentions_record, usage_flush, utc_today
from tests.conftest import Api, key_auth

USAGE = "/api/v1/platform/usage"
METRICS = "/api/v1/platform/metrics"


def account(slug: str) -> BillingAccount:
    return BillingAccount.objects.get(tenant__slug=slug)


def test_usage_per_tenant_per_day_and_as_csv(billing_admin, alpha, item):
    Api("alpha", auth=key_auth(alpha.api_key)).post("/api/v1/mentions/batch", {"mentions": [item(), item()]})
    mentions_record(tenant_id=account("beta").tenant_id, count=5)
    usage_flush()

    listed = billing_admin.get(USAGE)
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert set(body) == {"results", "next_cursor", "previous_cursor"}
    rows = {row["tenant"]: row for row in body["results"]}
    today = utc_today().isoformat()
    assert (rows["alpha"]["day"], rows["alpha"]["mentions"], rows["beta"]["mentions"]) == (today, 2, 5)
    assert rows["alpha"]["seats"] == 1 and rows["alpha"]["api_requests"] >= 1

    exported = billing_admin.get(f"{USAGE}?export=csv")
    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0] == ["day", "tenant", "mentions", "api_requests", "seats", "rules", "brands"]
    assert [(r[1], r[2]) for r in table[1:]] == [("alpha", "2"), ("beta", "5")]

    assert billing_admin.get(f"{USAGE}?since=2000-01-01&until=2000-01-31").json()["results"] == []


def test_bad_usage_windows_are_a_400_naming_the_parameter(billing_admin):
    for query, field in (
        ("?since=soon", "since"),
        ("?since=2030-02-01&until=2030-01-01", "since"),
        ("?since=2000-01-01&until=2030-01-01", "until"),
        ("?export=xls", "export"),
    ):
        response = billing_admin.get(f"{USAGE}{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["field"] == field, query


def test_metrics_count_tenants_by_status_mrr_and_mentions_per_day(billing_admin):
    Plan.objects.filter(code="team").update(monthly_price_cents=4900)
    billing_admin.patch("/api/v1/platform/tenants/alpha", {"plan": "team", "status": "active"})
    mentions_record(tenant_id=account("alpha").tenant_id, count=3)
    mentions_record(tenant_id=account("beta").tenant_id, count=4)

    metrics = billing_admin.get(METRICS).json()

    assert metrics["tenants_by_status"] == {"trialing": 1, "active": 1, "past_due": 0, "suspended": 0, "canceled": 0}
    assert metrics["active_tenants"] == 2
    assert metrics["mrr"] == [{"currency": "usd", "amount_cents": 4900}]
    assert len(metrics["mentions_per_day"]) == 30
    assert metrics["mentions_per_day"][-1] == {"day": utc_today().isoformat(), "mentions": 7}


def test_each_tenant_shows_its_usage_this_period_against_its_limits(billing_admin, alpha):
    mentions_record(tenant_id=account("alpha").tenant_id, count=12)
    Api("alpha", auth=key_auth(alpha.api_key)).get("/api/v1/me")
    usage_flush()

    tenant = billing_admin.get("/api/v1/platform/tenants/alpha").json()

    usage = tenant["usage"]
    assert usage["mentions"] == {"used": 12, "limit": 10000}
    assert usage["seats"] == {"used": 1, "limit": 3}
    assert usage["period_start"] == utc_today().replace(day=1).isoformat()
    assert usage["api_requests_today"] >= 1
    assert tenant["last_activity_at"] is not None
    listed = billing_admin.get("/api/v1/platform/tenants").json()["results"]
    # beta's API requests from earlier tests in this process are in the shared Redis counters, so only its
    # mentions (kept in the rolled-back database) are known to be none.
    assert [t["usage"]["mentions"]["used"] for t in listed] == [12, 0]

    node = billing_admin.graphql('{ platformTenant(slug: "alpha") { usage lastActivityAt } }').json()["data"]
    assert node["platformTenant"]["usage"]["mentions"] == {"used": 12, "limit": 10000}


def test_a_tenants_invoices_come_from_stripe(billing_admin, alpha):
    # Before it has a Stripe customer: none.
    assert billing_admin.get("/api/v1/platform/tenants/alpha/invoices").json()["results"] == []
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_customer_id="cus_alpha")

    invoices = billing_admin.get("/api/v1/platform/tenants/alpha/invoices").json()["results"]

    assert invoices and invoices[0]["id"].startswith("in_")
    graphql = billing_admin.graphql('{ platformTenantInvoices(slug: "alpha") { id } }').json()
    assert graphql["data"]["platformTenantInvoices"][0]["id"].startswith("in_")
    assert billing_admin.get("/api/v1/platform/tenants/nobody/invoices").status_code == 404


def test_graphql_usage_and_metrics_call_the_same_selectors(billing_admin):
    mentions_record(tenant_id=account("beta").tenant_id, count=4)

    body = billing_admin.graphql(
        "{ platformUsage { day tenant mentions } platformMetrics { activeTenants mentionsPerDay { mentions } } }"
    ).json()

    assert body["data"]["platformUsage"] == [{"day": utc_today().isoformat(), "tenant": "beta", "mentions": 4}]
    assert body["data"]["platformMetrics"]["activeTenants"] == 2
    assert body["data"]["platformMetrics"]["mentionsPerDay"][-1] == {"mentions": 4}


def test_tenant_users_never_reach_usage_metrics_or_invoices(alpha, login):
    tenant_key = key_auth(alpha.api_key)
    for path in (USAGE, METRICS, "/api/v1/platform/tenants/alpha/invoices"):
        assert Api("alpha", auth=tenant_key).get(path).status_code == 404, path
        for auth in (tenant_key, login("alpha", alpha.admin_email)):
            response = Api(None, auth=auth).get(path)
            assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_tenant", path
        assert Api(None).get(path).status_code == 401
    for query in (
        "{ platformUsage { day } }",
        "{ platformMetrics { activeTenants } }",
        '{ platformTenantInvoices(slug: "alpha") { id } }',
    ):
        body = Api("alpha", auth=tenant_key).graphql(query).json()
        # Not in a tenant's schema at all.
        assert body["errors"][0]["extensions"]["code"] == "graphql_validation", query
