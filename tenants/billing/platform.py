"""What a billing admin does to tenants that goes beyond their billing account: creating one, and deleting one
(which cancels it and schedules its purge; tenants.billing.lifecycle purges it once the retention is over)."""

from django.conf import settings
from django.db import transaction

from config.errors import ErrorList, NotFoundError
from tenants.billing.models import BillingAccount, BillingStatus
from tenants.billing.services import plan_for_code, status_set
from tenants.billing.stripe_api import subscription_cancel
from tenants.identity.principals import Principal, check_permission
from tenants.services import TenantCreated, tenant_create


def platform_tenant_create(
    *,
    actor: Principal,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    plan: str | None = None,
) -> TenantCreated:
    """The same tenant_create as `manage.py tenant_create`, by a billing admin, on the plan given."""
    check_permission(actor, "platform.manage")
    errors = ErrorList()
    plan_for_code(errors, plan or settings.BILLING_DEFAULT_PLAN)
    errors.raise_if_any()
    return tenant_create(slug=slug, name=name, admin_email=admin_email, admin_password=admin_password, plan=plan)


def _platform_account(slug: str) -> BillingAccount:
    account = BillingAccount.objects.select_related("tenant", "plan").filter(tenant__slug=slug).first()
    if account is None:
        raise NotFoundError(f"No tenant '{slug}'.", field="slug")
    return account


def _platform_account_locked(slug: str) -> BillingAccount:
    """The account, its row locked until the caller's transaction ends."""
    account = BillingAccount.objects.select_related("tenant", "plan").select_for_update().filter(tenant__slug=slug)
    found = account.first()
    if found is None:
        raise NotFoundError(f"No tenant '{slug}'.", field="slug")
    return found


def platform_tenant_delete(*, actor: Principal, slug: str) -> BillingAccount:
    """Cancel the tenant (and its Stripe subscription) now and purge it BILLING_RETENTION_DAYS later: nothing is
    deleted yet, and resuming it before the purge (status `active`) calls the purge off.

    Deleting a tenant already canceled changes nothing: its purge time stays as it is."""
    check_permission(actor, "platform.manage")
    account = _platform_account(slug)
    if account.status == BillingStatus.CANCELED:
        return account
    if account.stripe_subscription_id:
        # First, so that a Stripe that refuses leaves the tenant as it was (503) rather than canceled but billed.
        subscription_cancel(account.stripe_subscription_id)
    with transaction.atomic():
        account = _platform_account_locked(slug)
        status_set(account=account, status=BillingStatus.CANCELED, reason="deleted by a billing admin", actor=actor)
        account.save()
    return account
