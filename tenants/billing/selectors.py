from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from config.errors import NotFoundError, ValidationError
from tenants.billing.models import BillingAccount, BillingStatus, Plan, StatusChange
from tenants.billing.period_usage import with_period_usage
from tenants.identity.principals import Principal, check_permission
from tenants.models import Tenant


def plan_list(*, actor: Principal) -> QuerySet[Plan]:
    check_permission(actor, "platform.read")
    return Plan.objects.order_by("code")


def plan_get(*, actor: Principal, code: str) -> Plan:
    check_permission(actor, "platform.read")
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise NotFoundError(f"No plan '{code}'.", field="code")
    return plan


def platform_tenant_list(
    *, actor: Principal, search: str = "", status: Sequence[str] | None = None, plan: Sequence[str] | None = None
) -> QuerySet[Tenant]:
    """Every tenant with its billing account, by slug; `search` matches slug or name."""
    check_permission(actor, "platform.read")
    for value in status or []:
        if value not in BillingStatus.values:
            raise ValidationError(
                f"Unknown status '{value[:50]}'; expected one of {', '.join(BillingStatus.values)}.", field="status"
            )
    tenants = with_period_usage(
        Tenant.objects.exclude(schema_name=get_public_schema_name()).select_related("billing__plan")
    )
    if search:
        tenants = tenants.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    if status:
        tenants = tenants.filter(billing__status__in=status)
    if plan:
        tenants = tenants.filter(billing__plan__code__in=plan)
    return tenants.order_by("slug")


def platform_tenant_get(*, actor: Principal, slug: str) -> Tenant:
    check_permission(actor, "platform.read")
    tenant = with_period_usage(
        Tenant.objects.exclude(schema_name=get_public_schema_name()).select_related("billing__plan").filter(slug=slug)
    ).first()
    if tenant is None:
        raise NotFoundError(f"No tenant '{slug}'.", field="slug")
    return tenant


def status_history(*, actor: Principal, slug: str) -> QuerySet[StatusChange]:
    tenant = platform_tenant_get(actor=actor, slug=slug)
    return StatusChange.objects.filter(account__tenant=tenant).order_by("created_at", "id")


def account_for(tenant: Tenant) -> BillingAccount | None:
    return BillingAccount.objects.select_related("plan").filter(tenant=tenant).first()
