"""A tenant admin's billing view through stripe-mock (no mocking of the `stripe` library): the plan and status,
Checkout and Customer Portal URLs, invoices; one Stripe customer per tenant; other roles and other tenants see
nothing of it."""

import pytest

from tenants.billing.models import BillingAccount, Plan
from tenants.billing.services import platform_tenant_update
from tenants.identity.principals import SYSTEM
from tests.conftest import Api, key_auth

BILLING = "/api/v1/billing"
CHECKOUT = {"plan": "team", "success_url": "https://app.example/ok", "cancel_url": "https://app.example/no"}


@pytest.fixture
def priced(tenants):
    Plan.objects.filter(code="team").update(stripe_base_price_id="price_team", stripe_metered_price_id="price_mentions")


def admin(tenant) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def test_an_admin_sees_the_plan_status_and_limits(alpha):
    billing = admin(alpha).get(BILLING)

    assert billing.status_code == 200
    body = billing.json()
    assert (body["plan"], body["status"], body["stripe_customer_id"]) == ("trial", "trialing", "")
    assert body["limits"]["mentions_per_month"] == 10000


def test_checkout_makes_one_stripe_customer_and_returns_a_checkout_url(alpha, priced):
    api = admin(alpha)

    first = api.post(f"{BILLING}/checkout", CHECKOUT)
    assert first.status_code == 200, first.content
    assert first.json()["url"].startswith("https://checkout.stripe.com/")
    customer = BillingAccount.objects.get(tenant__slug="alpha").stripe_customer_id
    assert customer.startswith("cus_")

    assert api.post(f"{BILLING}/checkout", CHECKOUT).status_code == 200
    assert BillingAccount.objects.get(tenant__slug="alpha").stripe_customer_id == customer
    assert api.get(BILLING).json()["stripe_customer_id"] == customer


def test_the_portal_and_invoices_come_from_stripe(alpha):
    api = admin(alpha)
    assert api.get(f"{BILLING}/invoices").json() == {"results": [], "next_cursor": None, "previous_cursor": None}

    portal = api.post(f"{BILLING}/portal", {"return_url": "https://app.example/settings"})
    assert portal.status_code == 200, portal.content
    assert portal.json()["url"].startswith("https://")

    invoices = api.get(f"{BILLING}/invoices").json()["results"]
    assert invoices and invoices[0]["id"].startswith("in_")
    listed = api.graphql("{ billingInvoices(first: 1) { id status } }").json()["data"]["billingInvoices"]
    assert [invoice["id"] for invoice in listed] == [invoices[0]["id"]]
    too_many = api.graphql("{ billingInvoices(first: 201) { id } }").json()
    assert too_many["errors"][0]["extensions"]["field"] == "first"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("checkout", {**CHECKOUT, "plan": "gold"}, "plan"),
        ("checkout", {**CHECKOUT, "success_url": "not a url"}, "success_url"),
        ("checkout", {"plan": "team"}, "success_url"),
        ("portal", {"return_url": "ftp://x.example"}, "return_url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alpha, priced, path, body, field):
    response = admin(alpha).post(f"{BILLING}/{path}", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_plan_without_a_stripe_price_cannot_be_checked_out(alpha):
    response = admin(alpha).post(f"{BILLING}/checkout", {**CHECKOUT, "plan": "enterprise"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_price"


def test_only_admins_see_billing(alpha, make_key):
    _key, raw = make_key("alpha", "analyst")
    analyst = Api("alpha", auth=key_auth(raw))

    assert analyst.get(BILLING).status_code == 403
    assert analyst.post(f"{BILLING}/portal", {"return_url": "https://app.example/"}).status_code == 403


def test_each_tenant_sees_its_own_billing_only(alpha, beta, priced):
    admin(alpha).post(f"{BILLING}/checkout", CHECKOUT)
    platform_tenant_update(actor=SYSTEM, slug="alpha", plan="agency")

    theirs = admin(beta).get(BILLING).json()
    assert (theirs["plan"], theirs["stripe_customer_id"]) == ("trial", "")
    assert admin(beta).get(f"{BILLING}/invoices").json()["results"] == []


def test_a_suspended_tenant_can_still_pay(alpha, priced):
    platform_tenant_update(actor=SYSTEM, slug="alpha", status="suspended")

    assert admin(alpha).post(f"{BILLING}/checkout", CHECKOUT).status_code == 200


def test_graphql_reaches_the_same_billing(alpha, priced):
    api = admin(alpha)
    url = api.graphql(
        'mutation { createBillingCheckout(plan: "team", successUrl: "https://a.example/ok", '
        'cancelUrl: "https://a.example/no") }'
    ).json()["data"]["createBillingCheckout"]
    assert url.startswith("https://checkout.stripe.com/")
    billing = api.graphql("{ billing { plan status stripeCustomerId } }").json()["data"]["billing"]
    assert billing["stripeCustomerId"].startswith("cus_") and billing["status"] == "TRIALING"
    bad = api.graphql('mutation { createBillingPortal(returnUrl: "nope") }').json()
    assert bad["errors"][0]["extensions"]["field"] == "return_url"


def test_the_billing_view_shows_usage_against_every_limit_and_the_next_invoice(alpha, item):
    api = admin(alpha)
    api.post("/api/v1/mentions/batch", {"mentions": [item(), item(), item()]})
    before = api.get(BILLING).json()
    BillingAccount.objects.filter(tenant__slug="alpha").update(
        stripe_customer_id="cus_demo", stripe_subscription_id="sub_demo", status="active"
    )

    after = api.get(BILLING).json()
    graphql = api.graphql("{ billing { usage nextInvoice { amountDue currency } } }").json()["data"]["billing"]

    assert before["usage"]["mentions"] == {"used": 3, "limit": 10000}
    assert {"seats", "rules", "brands", "resets_at"} <= set(before["usage"])
    assert before["next_invoice"] is None
    assert after["next_invoice"]["currency"] and isinstance(after["next_invoice"]["amount_due"], int)
    assert graphql["usage"]["mentions"]["used"] == 3
    assert graphql["nextInvoice"]["currency"] == after["next_invoice"]["currency"]
