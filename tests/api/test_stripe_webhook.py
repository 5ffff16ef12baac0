"""Stripe's webhook on the public host: payloads signed here with the real `stripe` library. A bad or stale
signature is a 400 that changes nothing, a replayed event id is a 200 that changes nothing, and an older event
arriving late does not move the tenant's state back."""

import json
import time
from itertools import count

import pytest
import stripe
from django.conf import settings

from tenants.billing.models import BillingAccount, Plan, StatusChange, StripeEvent
from tests.conftest import Api

WEBHOOK = "/api/v1/billing/stripe-webhook"
_ids = count(1)


@pytest.fixture
def customer(alpha):
    """alpha as a Stripe customer (what checkout sets up), active."""
    BillingAccount.objects.filter(tenant__slug="alpha").update(stripe_customer_id="cus_alpha", status="active")
    return "cus_alpha"


def event(kind: str, obj: dict, *, created: int | None = None, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_ids)}_{time.time_ns()}",
        "object": "event",
        "type": kind,
        "created": created or int(time.time()),
        "data": {"object": obj},
    }


def deliver(body: dict, *, secret: str | None = None, timestamp: int | None = None, host_tenant: str | None = None):
    payload = json.dumps(body)
    signature = stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )
    return Api(host_tenant).post(WEBHOOK, raw=payload.encode(), headers={"Stripe-Signature": signature})


def account() -> BillingAccount:
    return BillingAccount.objects.get(tenant__slug="alpha")


def test_a_failed_payment_makes_the_tenant_past_due_once(customer):
    failed = event("invoice.payment_failed", {"object": "invoice", "customer": customer})

    first = deliver(failed)
    assert first.status_code == 200, first.content
    assert first.json() == {"received": True, "outcome": "applied"}
    assert account().status == "past_due"
    changes = StatusChange.objects.filter(account__tenant__slug="alpha").count()

    replay = deliver(failed)
    assert replay.status_code == 200
    assert replay.json()["outcome"] == "replay"
    assert StatusChange.objects.filter(account__tenant__slug="alpha").count() == changes
    assert StripeEvent.objects.filter(event_id=failed["id"]).count() == 1


def test_a_paid_invoice_brings_a_past_due_tenant_back_to_active(customer):
    deliver(event("invoice.payment_failed", {"object": "invoice", "customer": customer}))
    deliver(event("invoice.paid", {"object": "invoice", "customer": customer}))

    assert account().status == "active"


@pytest.mark.parametrize(
    "how",
    ["wrong secret", "stale timestamp", "no signature"],
)
def test_a_bad_or_stale_signature_is_a_400_and_changes_nothing(customer, how):
    body = event("invoice.payment_failed", {"object": "invoice", "customer": customer})
    if how == "wrong secret":
        response = deliver(body, secret="whsec_not_ours")
    elif how == "stale timestamp":
        response = deliver(body, timestamp=int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE - 60)
    else:
        response = Api(None).post(WEBHOOK, body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Stripe-Signature"
    assert account().status == "active"
    assert not StripeEvent.objects.filter(event_id=body["id"]).exists()


def test_an_older_event_arriving_late_does_not_regress_the_state(customer):
    now = int(time.time())
    deliver(event("customer.subscription.deleted", {"object": "subscription", "customer": customer}, created=now))
    late = deliver(
        event(
            "customer.subscription.updated",
            {"object": "subscription", "id": "sub_1", "customer": customer, "status": "active"},
            created=now - 30,
        )
    )

    assert late.json()["outcome"] == "stale"
    assert account().status == "canceled"


def test_checkout_completion_links_the_customer_and_plan_and_activates(alpha):
    session = {
        "object": "checkout.session",
        "client_reference_id": "alpha",
        "customer": "cus_new",
        "subscription": "sub_new",
        "metadata": {"plan": "team"},
    }
    assert deliver(event("checkout.session.completed", session)).json()["outcome"] == "applied"

    found = account()
    assert (found.stripe_customer_id, found.stripe_subscription_id, found.plan.code, found.status) == (
        "cus_new",
        "sub_new",
        "team",
        "active",
    )


def test_subscription_events_set_the_plan_by_price_and_the_status(customer):
    Plan.objects.filter(code="agency").update(stripe_base_price_id="price_agency")
    subscription = {
        "object": "subscription",
        "id": "sub_9",
        "customer": customer,
        "status": "past_due",
        "items": {"data": [{"price": {"id": "price_agency"}}]},
    }
    deliver(event("customer.subscription.updated", subscription))

    found = account()
    assert (found.plan.code, found.status, found.stripe_subscription_id) == ("agency", "past_due", "sub_9")


def test_an_event_for_no_known_tenant_is_recorded_and_ignored(alpha):
    body = event("invoice.paid", {"object": "invoice", "customer": "cus_stranger"})

    assert deliver(body).json()["outcome"] == "ignored"
    assert account().status == "trialing"


def test_a_body_that_is_not_json_is_a_400(alpha):
    payload = "not json"
    signature = stripe.WebhookSignature.generate_signature_header(payload, settings.STRIPE_WEBHOOK_SECRET)
    response = Api(None).post(WEBHOOK, raw=payload.encode(), headers={"Stripe-Signature": signature})

    assert response.status_code == 400


def test_the_webhook_is_not_served_on_a_tenant_host(customer):
    body = event("invoice.payment_failed", {"object": "invoice", "customer": customer})

    assert deliver(body, host_tenant="alpha").status_code == 404
    assert account().status == "active"


def test_without_a_signing_secret_the_webhook_is_unavailable(customer, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = event("invoice.payment_failed", {"object": "invoice", "customer": customer})
    response = deliver(body, secret="whsec_anything")

    assert response.status_code == 503
    assert account().status == "active"
