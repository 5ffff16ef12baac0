"""The billing admin's platform operations over GraphQL (public host): the same selectors and services as REST."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from tenants.billing import selectors, services, tenant_billing
from tenants.billing.models import Plan as PlanModel
from tenants.billing.platform import platform_tenant_create
from tenants.models import Tenant

MAX_PAGE = 200


@strawberry.type
class Plan:
    code: str
    name: str
    stripe_base_price_id: str
    stripe_metered_price_id: str
    limits: JSON
    features: JSON

    @classmethod
    def from_model(cls, plan: PlanModel) -> "Plan":
        return cls(
            code=plan.code,
            name=plan.name,
            stripe_base_price_id=plan.stripe_base_price_id,
            stripe_metered_price_id=plan.stripe_metered_price_id,
            limits=plan.limits,
            features=plan.features,
        )


@strawberry.type
class PlatformTenant:
    slug: str
    name: str
    is_active: bool
    created_at: datetime
    plan: str
    status: str
    trial_end: datetime | None
    stripe_customer_id: str
    stripe_subscription_id: str

    @classmethod
    def from_model(cls, tenant: Tenant) -> "PlatformTenant":
        account: Any = tenant.billing  # type: ignore[attr-defined]
        return cls(
            slug=tenant.slug,
            name=tenant.name,
            is_active=tenant.is_active,
            created_at=tenant.created_at,
            plan=account.plan.code,
            status=account.status,
            trial_end=account.trial_end,
            stripe_customer_id=account.stripe_customer_id,
            stripe_subscription_id=account.stripe_subscription_id,
        )


@strawberry.type
class PlatformTenantCreated:
    tenant: PlatformTenant
    admin_email: str
    admin_password: str = strawberry.field(description="Shown only once.")
    api_key: str = strawberry.field(description="The tenant's first admin API key. Shown only once.")


@strawberry.type
class TenantBilling:
    plan: str
    plan_name: str
    status: str
    trial_end: datetime | None
    limits: JSON
    features: JSON
    stripe_customer_id: str
    stripe_subscription_id: str


@strawberry.type
class Invoice:
    id: str
    number: str | None
    status: str | None
    currency: str | None
    amount_due: int | None
    amount_paid: int | None
    created: int | None
    hosted_invoice_url: str | None


@strawberry.type
class BillingQuery:
    @strawberry.field(description="The tenant's plan, billing status, trial end and limits (tenant admins).")
    def billing(self, info: Info) -> TenantBilling:
        account = tenant_billing.billing_get(actor=actor(info))
        return TenantBilling(
            plan=account.plan.code,
            plan_name=account.plan.name,
            status=account.status,
            trial_end=account.trial_end,
            limits=account.plan.limits,
            features=account.plan.features,
            stripe_customer_id=account.stripe_customer_id,
            stripe_subscription_id=account.stripe_subscription_id,
        )

    @strawberry.field(description="The tenant's invoices from Stripe, newest first (tenant admins).")
    def billing_invoices(self, info: Info) -> list[Invoice]:
        return [Invoice(**invoice) for invoice in tenant_billing.invoice_list(actor=actor(info))]

    @strawberry.field(description="Tenants by slug (billing admins); search matches slug or name.")
    def platform_tenants(
        self,
        info: Info,
        search: str = "",
        status: list[str] | None = None,
        plan: list[str] | None = None,
        first: int = 50,
        offset: int = 0,
    ) -> list[PlatformTenant]:
        tenants = selectors.platform_tenant_list(actor=actor(info), search=search[:200], status=status, plan=plan)
        start = max(offset, 0)
        return [PlatformTenant.from_model(t) for t in tenants[start : start + max(1, min(first, MAX_PAGE))]]

    @strawberry.field(description="One tenant with its plan and billing status (billing admins).")
    def platform_tenant(self, info: Info, slug: str) -> PlatformTenant:
        return PlatformTenant.from_model(selectors.platform_tenant_get(actor=actor(info), slug=slug))

    @strawberry.field(description="Plans by code (billing admins).")
    def platform_plans(self, info: Info) -> list[Plan]:
        return [Plan.from_model(p) for p in selectors.plan_list(actor=actor(info))[:MAX_PAGE]]

    @strawberry.field(description="One plan (billing admins).")
    def platform_plan(self, info: Info, code: str) -> Plan:
        return Plan.from_model(selectors.plan_get(actor=actor(info), code=code))


@strawberry.type
class BillingMutation:
    @strawberry.mutation(description="A Stripe Checkout URL to subscribe to a plan or change to it (tenant admins).")
    def create_billing_checkout(self, info: Info, plan: str, success_url: str, cancel_url: str) -> str:
        return tenant_billing.checkout_create(
            actor=actor(info), plan=plan, success_url=success_url, cancel_url=cancel_url
        )

    @strawberry.mutation(description="A Stripe Customer Portal URL to manage payment (tenant admins).")
    def create_billing_portal(self, info: Info, return_url: str) -> str:
        return tenant_billing.portal_create(actor=actor(info), return_url=return_url)

    @strawberry.mutation(description="Create a tenant on a plan, as manage.py tenant_create does (billing admins).")
    def create_platform_tenant(
        self,
        info: Info,
        slug: str,
        name: str,
        admin_email: str,
        admin_password: str | None = None,
        plan: str | None = None,
    ) -> PlatformTenantCreated:
        principal = actor(info)
        created = platform_tenant_create(
            actor=principal, slug=slug, name=name, admin_email=admin_email, admin_password=admin_password, plan=plan
        )
        tenant = selectors.platform_tenant_get(actor=principal, slug=created.slug)
        return PlatformTenantCreated(
            tenant=PlatformTenant.from_model(tenant),
            admin_email=created.admin_email,
            admin_password=created.admin_password,
            api_key=created.api_key,
        )

    @strawberry.mutation(description="Change a tenant's plan or trial end; status 'suspended' or 'active' (resume).")
    def update_platform_tenant(
        self,
        info: Info,
        slug: str,
        plan: str | None = None,
        status: str | None = None,
        trial_end: datetime | None = strawberry.UNSET,
    ) -> PlatformTenant:
        principal = actor(info)
        changes: dict[str, Any] = {"plan": plan, "status": status}
        if trial_end is not strawberry.UNSET:
            changes["trial_end"] = trial_end
        services.platform_tenant_update(actor=principal, slug=slug, **changes)
        return PlatformTenant.from_model(selectors.platform_tenant_get(actor=principal, slug=slug))

    @strawberry.mutation(description="Create a plan (billing admins).")
    def create_plan(
        self,
        info: Info,
        code: str,
        name: str,
        stripe_base_price_id: str = "",
        stripe_metered_price_id: str = "",
        limits: JSON | None = None,
        features: JSON | None = None,
    ) -> Plan:
        return Plan.from_model(
            services.plan_create(
                actor=actor(info),
                code=code,
                name=name,
                stripe_base_price_id=stripe_base_price_id,
                stripe_metered_price_id=stripe_metered_price_id,
                limits=limits,  # type: ignore[arg-type]
                features=features,  # type: ignore[arg-type]
            )
        )

    @strawberry.mutation(description="Edit a plan; tenants on it have the new limits at once (billing admins).")
    def update_plan(
        self,
        info: Info,
        code: str,
        name: str | None = None,
        stripe_base_price_id: str | None = None,
        stripe_metered_price_id: str | None = None,
        limits: JSON | None = None,
        features: JSON | None = None,
    ) -> Plan:
        given = {
            "name": name,
            "stripe_base_price_id": stripe_base_price_id,
            "stripe_metered_price_id": stripe_metered_price_id,
            "limits": limits,
            "features": features,
        }
        changes = {key: value for key, value in given.items() if value is not None}
        return Plan.from_model(services.plan_update(actor=actor(info), code=code, **changes))
