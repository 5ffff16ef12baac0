"""A tenant admin's billing: the account at a glance, Checkout and Customer Portal sessions, invoices from Stripe.

The Stripe customer is made on first need, once per tenant (its key is the tenant's, so a retry finds it)."""

from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction

from config.errors import ConflictError, ErrorList, NotFoundError
from tenants.billing.models import BillingAccount
from tenants.billing.period_usage import period_usage, with_period_usage
from tenants.billing.services import plan_for_code
from tenants.billing.stripe_api import call, client, idempotency_key
from tenants.context import current_tenant
from tenants.identity.principals import Principal, check_permission
from tenants.models import Tenant

MAX_INVOICES = 100
STRIPE_PAGE = 100
INVOICE_FIELDS = ("id", "number", "status", "currency", "amount_due", "amount_paid", "created", "hosted_invoice_url")
MAX_URL = 2000


def _check_urls(errors: ErrorList, **urls: str) -> None:
    for name, url in urls.items():
        try:
            if len(url) > MAX_URL:
                raise DjangoValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            errors.add(name, f"Enter an http or https URL of at most {MAX_URL} characters.")


def _account() -> BillingAccount:
    tenant = current_tenant()
    accounts = BillingAccount.objects.select_related("tenant", "plan")
    account = accounts.filter(tenant=tenant).first() if tenant is not None else None
    if account is None:
        raise NotFoundError("This tenant has no billing account.")
    return account


def billing_get(*, actor: Principal) -> BillingAccount:
    check_permission(actor, "billing.read")
    return _account()


def billing_summary(*, actor: Principal) -> dict[str, Any]:
    """What a tenant admin sees of billing: the plan and its limits, the status, usage this month against every
    limit, and the next invoice as Stripe would draw it now (none without a subscription)."""
    account = billing_get(actor=actor)
    tenant = with_period_usage(Tenant.objects.filter(pk=account.tenant_id)).select_related("billing__plan").get()
    return {
        "plan": account.plan.code,
        "plan_name": account.plan.name,
        "status": account.status,
        "trial_end": account.trial_end,
        "limits": account.plan.limits,
        "features": account.plan.features,
        "stripe_customer_id": account.stripe_customer_id,
        "stripe_subscription_id": account.stripe_subscription_id,
        "usage": period_usage(tenant),
        "next_invoice": next_invoice(account),
    }


def next_invoice(account: BillingAccount) -> dict[str, Any] | None:
    if not (account.stripe_customer_id and account.stripe_subscription_id):
        return None
    params: Any = {"customer": account.stripe_customer_id, "subscription": account.stripe_subscription_id}
    preview = call(
        "preview the next invoice",
        lambda: client().v1.invoices.create_preview(
            params=params, options={"idempotency_key": idempotency_key("invoice-preview")}
        ),
    ).to_dict()
    ends = preview.get("period_end")
    return {
        "amount_due": preview.get("amount_due"),
        "currency": preview.get("currency"),
        "period_end": datetime.fromtimestamp(ends, UTC) if ends else None,
    }


@transaction.atomic
def customer_ensure(account: BillingAccount) -> str:
    if account.stripe_customer_id:
        return str(account.stripe_customer_id)
    tenant = account.tenant
    customer = call(
        "create the customer",
        lambda: client().v1.customers.create(
            params={"name": tenant.name, "metadata": {"tenant": tenant.slug}},
            # One customer per tenant, however often this is retried.
            options={"idempotency_key": f"vigil-customer-{tenant.pk}"},
        ),
    )
    account.stripe_customer_id = customer.id
    account.save(update_fields=["stripe_customer_id"])
    return str(customer.id)


def checkout_create(*, actor: Principal, plan: str, success_url: str, cancel_url: str) -> str:
    """A Checkout Session URL to subscribe to (or change to) `plan`; the webhook applies it once paid."""
    check_permission(actor, "billing.manage")
    errors = ErrorList()
    chosen = plan_for_code(errors, plan)
    _check_urls(errors, success_url=success_url, cancel_url=cancel_url)
    errors.raise_if_any()
    assert chosen is not None
    if not chosen.stripe_base_price_id:
        raise ConflictError(f"Plan '{chosen.code}' has no Stripe price to subscribe to.", field="plan", code="no_price")
    account = _account()
    customer = customer_ensure(account)
    items: list[Any] = [{"price": chosen.stripe_base_price_id, "quantity": 1}]
    if chosen.stripe_metered_price_id:
        items.append({"price": chosen.stripe_metered_price_id})
    session = call(
        "create the checkout session",
        lambda: client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": account.tenant.slug,
                "line_items": items,
                "metadata": {"plan": chosen.code, "tenant": account.tenant.slug},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": idempotency_key("checkout")},
        ),
    )
    return str(session.url)


def portal_create(*, actor: Principal, return_url: str) -> str:
    """A Customer Portal URL where the tenant manages payment methods and its subscription."""
    check_permission(actor, "billing.manage")
    errors = ErrorList()
    _check_urls(errors, return_url=return_url)
    errors.raise_if_any()
    customer = customer_ensure(_account())
    session = call(
        "create the portal session",
        lambda: client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url},
            options={"idempotency_key": idempotency_key("portal")},
        ),
    )
    return str(session.url)


def invoice_list(*, actor: Principal, limit: int = MAX_INVOICES) -> list[dict[str, Any]]:
    """The tenant's first `limit` invoices as Stripe has them, newest first; none before it has a Stripe customer.

    Stripe lists at most 100 a page, so a larger `limit` follows Stripe's own paging."""
    check_permission(actor, "billing.read")
    return customer_invoices(_account(), limit=limit)


def customer_invoices(account: BillingAccount, *, limit: int = MAX_INVOICES) -> list[dict[str, Any]]:
    """The account's first `limit` invoices from Stripe, newest first (none before it has a Stripe customer)."""
    if not account.stripe_customer_id:
        return []
    params: Any = {"customer": account.stripe_customer_id, "limit": min(limit, STRIPE_PAGE)}
    found = call(
        "list the invoices",
        lambda: list(islice(client().v1.invoices.list(params=params).auto_paging_iter(), limit)),
    )
    return [{name: invoice.to_dict().get(name) for name in INVOICE_FIELDS} for invoice in found]
