"""The billing admin's platform operations over GraphQL (public host): the same selectors and services as REST."""

from datetime import date, datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.enums import InvoiceStatus
from api.graphql.paging import MAX_FIRST, Connection, connection
from api.graphql.permissions import actor
from tenants.billing import selectors, services, tenant_billing, usage_selectors
from tenants.billing.models import BillingStatus
from tenants.billing.models import Plan as PlanModel
from tenants.billing.period_usage import period_usage
from tenants.billing.platform import platform_tenant_create, platform_tenant_delete
from tenants.models import Tenant

ACCOUNT = ["billing__plan"]


@strawberry_django.type(PlanModel)
class Plan:
    code: strawberry.auto
    name: strawberry.auto
    stripe_base_price_id: strawberry.auto
    stripe_metered_price_id: strawberry.auto
    limits: JSON
    features: JSON
    monthly_price_cents: strawberry.auto
    currency: strawberry.auto


@strawberry_django.type(Tenant)
class PlatformTenant:
    slug: strawberry.auto
    name: strawberry.auto
    is_active: strawberry.auto
    created_at: strawberry.auto

    @strawberry_django.field(select_related=ACCOUNT, description="The plan's code.")
    def plan(self, root: Tenant) -> str:
        return cast(str, root.billing.plan.code)  # type: ignore[attr-defined]

    @strawberry_django.field(select_related=ACCOUNT)
    def status(self, root: Tenant) -> BillingStatus:
        return BillingStatus(root.billing.status)  # type: ignore[attr-defined]

    @strawberry_django.field(select_related=ACCOUNT)
    def trial_end(self, root: Tenant) -> datetime | None:
        return cast(datetime | None, root.billing.trial_end)  # type: ignore[attr-defined]

    @strawberry_django.field(
        select_related=ACCOUNT,
        description="When a canceled tenant's schema and search indices are deleted; null unless canceled.",
    )
    def purge_at(self, root: Tenant) -> datetime | None:
        return cast(datetime | None, root.billing.purge_at)  # type: ignore[attr-defined]

    @strawberry_django.field(select_related=ACCOUNT)
    def stripe_customer_id(self, root: Tenant) -> str:
        return cast(str, root.billing.stripe_customer_id)  # type: ignore[attr-defined]

    @strawberry_django.field(select_related=ACCOUNT)
    def stripe_subscription_id(self, root: Tenant) -> str:
        return cast(str, root.billing.stripe_subscription_id)  # type: ignore[attr-defined]

    @strawberry_django.field(
        select_related=ACCOUNT,
        description="Usage this calendar month (UTC) against the plan's limits: {period_start, resets_at, mentions, "
        "seats, rules, brands: {used, limit}, api_requests_today, api_requests_per_minute}.",
    )
    def usage(self, root: Tenant) -> JSON:
        return cast(JSON, period_usage(root))

    @strawberry_django.field(description="When mentions or API requests were last counted for the tenant.")
    def last_activity_at(self, root: Tenant) -> datetime | None:
        return cast(datetime | None, getattr(root, "last_activity_at", None))


@strawberry.type
class UsageDay:
    day: date
    tenant: str
    mentions: int
    api_requests: int
    seats: int | None
    rules: int | None
    brands: int | None
    mentions_reported: int


@strawberry.type
class MentionsDay:
    day: date
    mentions: int


@strawberry.type
class Money:
    currency: str
    amount_cents: int


@strawberry.type
class PlatformMetrics:
    since: date
    until: date
    tenants_by_status: JSON
    active_tenants: int
    mrr: list[Money]
    mentions_per_day: list[MentionsDay]


@strawberry.type
class PlatformTenantCreated:
    tenant: PlatformTenant
    admin_email: str
    admin_password: str = strawberry.field(description="Shown only once.")
    api_key: str = strawberry.field(description="The tenant's first admin API key. Shown only once.")


@strawberry.type(description="The next invoice as Stripe would draw it now.")
class NextInvoice:
    amount_due: int | None = strawberry.field(description="In the currency's smallest unit (cents).")
    currency: str | None
    period_end: datetime | None


@strawberry.type
class TenantBilling:
    plan: str
    plan_name: str
    status: BillingStatus
    trial_end: datetime | None
    limits: JSON
    features: JSON
    stripe_customer_id: str
    stripe_subscription_id: str
    usage: JSON = strawberry.field(description="This calendar month (UTC) against every limit of the plan.")
    next_invoice: NextInvoice | None = strawberry.field(description="Null without a subscription.")


@strawberry.type
class Invoice:
    id: str
    number: str | None
    status: InvoiceStatus | None
    currency: str | None
    amount_due: int | None
    amount_paid: int | None
    created: int | None
    hosted_invoice_url: str | None


@strawberry.type
class BillingQuery:
    @strawberry.field(description="The tenant's plan, billing status, trial end and limits (tenant admins).")
    def billing(self, info: Info) -> TenantBilling:
        summary = tenant_billing.billing_summary(actor=actor(info))
        following = summary["next_invoice"]
        return TenantBilling(
            **{k: v for k, v in summary.items() if k not in ("status", "next_invoice")},
            status=BillingStatus(summary["status"]),
            next_invoice=NextInvoice(**following) if following else None,
        )

    @strawberry.field(
        description=f"The tenant's first invoices from Stripe, newest first (tenant admins): a plain list, since "
        f"Stripe pages it, of `first` invoices (1 to {MAX_FIRST})."
    )
    def billing_invoices(self, info: Info, first: int = 50) -> list[Invoice]:
        found = tenant_billing.invoice_list(actor=actor(info), limit=first)
        return [Invoice(**{**invoice, "status": _invoice_status(invoice["status"])}) for invoice in found]


@strawberry.type
class PlatformQuery:
    @connection(
        Connection[PlatformTenant], description="Tenants by slug (billing admins); search matches slug or name."
    )
    def platform_tenants(
        self,
        info: Info,
        search: str = "",
        status: list[BillingStatus] | None = None,
        plan: list[str] | None = None,
    ) -> QuerySet[Tenant]:
        return selectors.platform_tenant_list(actor=actor(info), search=search[:200], status=status, plan=plan)

    @strawberry.field(description="One tenant with its plan and billing status (billing admins).")
    def platform_tenant(self, info: Info, slug: str) -> PlatformTenant:
        return cast(PlatformTenant, selectors.platform_tenant_get(actor=actor(info), slug=slug))

    @connection(Connection[Plan], description="Plans by code (billing admins).")
    def platform_plans(self, info: Info) -> QuerySet[PlanModel]:
        return selectors.plan_list(actor=actor(info))

    @strawberry.field(
        description="Each tenant's usage per UTC day from `since` to `until` (default: this month), billing admins."
    )
    def platform_usage(self, info: Info, since: date | None = None, until: date | None = None) -> list[UsageDay]:
        days = usage_selectors.platform_usage(actor=actor(info), since=since, until=until)
        return [
            UsageDay(
                day=d.day,
                tenant=d.tenant.slug,
                mentions=d.mentions,
                api_requests=d.api_requests,
                seats=d.seats,
                rules=d.rules,
                brands=d.brands,
                mentions_reported=d.mentions_reported,
            )
            for d in days
        ]

    @strawberry.field(description="Tenants by status, MRR and mentions per day (billing admins).")
    def platform_metrics(self, info: Info, since: date | None = None, until: date | None = None) -> PlatformMetrics:
        m = usage_selectors.platform_metrics(actor=actor(info), since=since, until=until)
        return PlatformMetrics(
            since=m["since"],
            until=m["until"],
            tenants_by_status=m["tenants_by_status"],
            active_tenants=m["active_tenants"],
            mrr=[Money(**money) for money in m["mrr"]],
            mentions_per_day=[MentionsDay(**day) for day in m["mentions_per_day"]],
        )

    @strawberry.field(description=f"A tenant's first `first` invoices from Stripe (1 to {MAX_FIRST}), billing admins.")
    def platform_tenant_invoices(self, info: Info, slug: str, first: int = 50) -> list[Invoice]:
        found = usage_selectors.platform_tenant_invoices(
            actor=actor(info), slug=slug, limit=min(max(first, 1), MAX_FIRST)
        )
        return [Invoice(**{**invoice, "status": _invoice_status(invoice["status"])}) for invoice in found]

    @strawberry.field(description="One plan (billing admins).")
    def platform_plan(self, info: Info, code: str) -> Plan:
        return cast(Plan, selectors.plan_get(actor=actor(info), code=code))


def _invoice_status(value: str | None) -> InvoiceStatus | None:
    return InvoiceStatus(value) if value else None


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


@strawberry.type
class PlatformMutation:
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
            tenant=cast(PlatformTenant, tenant),
            admin_email=created.admin_email,
            admin_password=created.admin_password,
            api_key=created.api_key,
        )

    @strawberry.mutation(
        description="Change a tenant's plan or trial end; status SUSPENDED or ACTIVE (resume; for a canceled tenant, "
        "calls its purge off)."
    )
    def update_platform_tenant(
        self,
        info: Info,
        slug: str,
        plan: str | None = None,
        status: BillingStatus | None = None,
        trial_end: datetime | None = strawberry.UNSET,
    ) -> PlatformTenant:
        principal = actor(info)
        changes: dict[str, Any] = {"plan": plan, "status": status}
        if trial_end is not strawberry.UNSET:
            changes["trial_end"] = trial_end
        services.platform_tenant_update(actor=principal, slug=slug, **changes)
        return cast(PlatformTenant, selectors.platform_tenant_get(actor=principal, slug=slug))

    @strawberry.mutation(
        description="Cancel a tenant now and schedule its purge after the retention period (`purgeAt`); resuming it "
        "(updatePlatformTenant status ACTIVE) before then calls the purge off (billing admins)."
    )
    def delete_platform_tenant(self, info: Info, slug: str) -> PlatformTenant:
        principal = actor(info)
        platform_tenant_delete(actor=principal, slug=slug)
        return cast(PlatformTenant, selectors.platform_tenant_get(actor=principal, slug=slug))

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
        monthly_price_cents: int = 0,
        currency: str = "usd",
    ) -> Plan:
        return cast(
            Plan,
            services.plan_create(
                actor=actor(info),
                code=code,
                name=name,
                stripe_base_price_id=stripe_base_price_id,
                stripe_metered_price_id=stripe_metered_price_id,
                limits=limits,  # type: ignore[arg-type]
                features=features,  # type: ignore[arg-type]
                monthly_price_cents=monthly_price_cents,
                currency=currency,
            ),
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
        monthly_price_cents: int | None = None,
        currency: str | None = None,
    ) -> Plan:
        given = {
            "name": name,
            "stripe_base_price_id": stripe_base_price_id,
            "stripe_metered_price_id": stripe_metered_price_id,
            "limits": limits,
            "features": features,
            "monthly_price_cents": monthly_price_cents,
            "currency": currency,
        }
        changes = {key: value for key, value in given.items() if value is not None}
        return cast(Plan, services.plan_update(actor=actor(info), code=code, **changes))
