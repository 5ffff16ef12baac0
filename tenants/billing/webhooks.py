"""Stripe's webhooks: the signature checked by the `stripe` library, each event id once, and state that a late
(older) event cannot move back.

The tenant of an event is found by its Stripe customer id, or for a Checkout Session by `client_reference_id`
(the tenant's slug, set when the session is made)."""

from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from config.errors import ServiceUnavailableError, ValidationError
from tenants.billing.models import BillingAccount, BillingStatus, Plan, StripeEvent
from tenants.billing.services import plan_set, status_set
from tenants.identity.principals import SYSTEM

SIGNATURE_HEADER = "Stripe-Signature"

# Stripe's subscription statuses and the billing status each means; the others (incomplete…) change nothing.
SUBSCRIPTION_STATUSES = {
    "trialing": BillingStatus.TRIALING,
    "active": BillingStatus.ACTIVE,
    "past_due": BillingStatus.PAST_DUE,
    "unpaid": BillingStatus.PAST_DUE,
    "canceled": BillingStatus.CANCELED,
}


def _verified_event(payload: bytes, signature: str) -> Any:
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise ServiceUnavailableError("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
    try:
        return stripe.Webhook.construct_event(
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except stripe.SignatureVerificationError as exc:
        raise ValidationError(
            "The Stripe-Signature is missing, wrong or too old.", field=SIGNATURE_HEADER, code="bad_signature"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("The body is not a Stripe event.", field="body") from exc


def _field(obj: Any, name: str) -> Any:
    try:
        return obj[name]
    except (KeyError, TypeError):
        return None


def _account_for(obj: Any) -> BillingAccount | None:
    accounts = BillingAccount.objects.select_for_update().select_related("tenant", "plan")
    slug = _field(obj, "client_reference_id")
    if isinstance(slug, str) and slug:
        found = accounts.filter(tenant__slug=slug).first()
        if found is not None:
            return found
    customer = _field(obj, "customer")
    if isinstance(customer, str) and customer:
        return accounts.filter(stripe_customer_id=customer).first()
    return None


def _plan_of_subscription(subscription: Any) -> Plan | None:
    items = _field(_field(subscription, "items"), "data") or []
    price_ids = [_field(_field(item, "price"), "id") for item in items]
    return Plan.objects.filter(stripe_base_price_id__in=[p for p in price_ids if p]).first()


def _apply(event: Any, account: BillingAccount) -> None:
    obj = event["data"]["object"]
    kind = event["type"]
    reason = f"stripe {kind}"
    if kind == "checkout.session.completed":
        account.stripe_customer_id = _field(obj, "customer") or account.stripe_customer_id
        account.stripe_subscription_id = _field(obj, "subscription") or account.stripe_subscription_id
        plan_code = _field(_field(obj, "metadata"), "plan")
        plan = Plan.objects.filter(code=plan_code).first() if plan_code else None
        if plan is not None:
            plan_set(account=account, plan=plan, reason=reason, actor=SYSTEM)
        status_set(account=account, status=BillingStatus.ACTIVE, reason=reason, actor=SYSTEM)
    elif kind in ("customer.subscription.created", "customer.subscription.updated"):
        account.stripe_subscription_id = _field(obj, "id") or account.stripe_subscription_id
        plan = _plan_of_subscription(obj)
        if plan is not None:
            plan_set(account=account, plan=plan, reason=reason, actor=SYSTEM)
        trial_end = _field(obj, "trial_end")
        if isinstance(trial_end, int):
            account.trial_end = datetime.fromtimestamp(trial_end, tz=UTC)
        status = SUBSCRIPTION_STATUSES.get(_field(obj, "status"))
        if status is not None and account.status != BillingStatus.SUSPENDED:
            status_set(account=account, status=status, reason=reason, actor=SYSTEM)
    elif kind == "customer.subscription.deleted":
        status_set(account=account, status=BillingStatus.CANCELED, reason=reason, actor=SYSTEM)
    elif kind == "invoice.paid" and account.status in (BillingStatus.TRIALING, BillingStatus.PAST_DUE):
        status_set(account=account, status=BillingStatus.ACTIVE, reason=reason, actor=SYSTEM)
    elif kind == "invoice.payment_failed" and account.status in (BillingStatus.TRIALING, BillingStatus.ACTIVE):
        status_set(account=account, status=BillingStatus.PAST_DUE, reason=reason, actor=SYSTEM)


HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


def stripe_webhook_handle(*, payload: bytes, signature: str) -> str:
    """Verify and apply one event; returns what happened: applied, replay, stale or ignored.

    A bad signature is a 400 before anything is read or written."""
    event = _verified_event(payload, signature)
    created = datetime.fromtimestamp(int(event["created"]), tz=UTC)
    try:
        with transaction.atomic():
            if StripeEvent.objects.filter(event_id=event["id"]).exists():
                return "replay"
            account = _account_for(event["data"]["object"]) if event["type"] in HANDLED else None
            if account is None:
                outcome = "ignored"
            elif account.stripe_state_at is not None and created < account.stripe_state_at:
                outcome = "stale"
            else:
                _apply(event, account)
                account.stripe_state_at = created
                account.save()
                outcome = "applied"
            StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], stripe_created_at=created, account=account, outcome=outcome
            )
    except IntegrityError:
        # The same event delivered twice at once: the other delivery holds the row and applied it.
        return "replay"
    return outcome
