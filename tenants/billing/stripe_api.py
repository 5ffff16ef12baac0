"""Calls to Stripe (stripe-mock in tests and the demo) through the `stripe` library.

Every call that creates something carries an idempotency key; the library retries network failures with the same
key, so a retried call never makes a second customer or session."""

import uuid
from typing import Any

import stripe
from django.conf import settings

from config.errors import ServiceUnavailableError

NETWORK_RETRIES = 2


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=NETWORK_RETRIES,
    )


def idempotency_key(purpose: str) -> str:
    return f"vigil-{purpose}-{uuid.uuid4()}"


def call(what: str, run: Any) -> Any:
    """Run one Stripe call; Stripe being unreachable or refusing is a 503 naming what failed, never a 500."""
    try:
        return run()
    except stripe.StripeError as exc:
        raise ServiceUnavailableError(f"Stripe could not {what}: {exc.user_message or type(exc).__name__}.") from exc


def subscription_cancel(subscription_id: str) -> None:
    """Cancel a subscription at once; one that Stripe no longer has counts as canceled (a retry after success)."""

    def run() -> None:
        try:
            client().v1.subscriptions.cancel(
                subscription_id, options={"idempotency_key": f"vigil-cancel-{subscription_id}"}
            )
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise

    call("cancel the subscription", run)
