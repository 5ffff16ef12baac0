"""What a billing admin does to tenants that goes beyond their billing account: creating one."""

from django.conf import settings

from config.errors import ErrorList
from tenants.billing.services import plan_for_code
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
