"""The billing admin's platform API on the public schema: tenants and plans. Tenant hosts do not route here."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import platform_serializers as s
from api.rest.base import ApiView, TenantViewSet, list_param
from api.rest.schema import error_response
from tenants.billing import selectors, services, usage_selectors
from tenants.billing.models import BillingStatus, Plan, UsageDay
from tenants.billing.platform import platform_tenant_create, platform_tenant_delete
from tenants.models import Tenant

SLUG_REGEX = r"[a-z0-9-]+"


@extend_schema_view(retrieve=extend_schema(summary="One tenant with its plan, billing status and Stripe ids"))
class PlatformTenantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Tenant
    serializer_class = s.PlatformTenantOutput
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    ordering_fields = ("slug", "name", "created_at")
    conflicts = {
        "create": "A tenant has this slug",
        "partial_update": "The tenant is canceled (`canceled`): it cannot be suspended (resume it instead)",
    }

    def select(self) -> Any:
        if self.action != "list":
            return selectors.platform_tenant_list(actor=self.principal)
        params = self.request.query_params
        return selectors.platform_tenant_list(
            actor=self.principal,
            search=params.get("search", "").strip()[:200],
            status=list_param(params, "status"),
            plan=list_param(params, "plan"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Part of the slug or name (case-insensitive)."),
            OpenApiParameter(
                "status", str, enum=BillingStatus.values, description="Billing status; repeat or comma-separate."
            ),
            OpenApiParameter("plan", str, description="Plan code; repeat or comma-separate."),
        ],
        summary="Tenants with their plan and billing status (search, filter by status and plan)",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(s.PlatformTenantOutput(selectors.platform_tenant_get(actor=self.principal, slug=slug)).data)

    @extend_schema(
        request=s.PlatformTenantCreateInput,
        responses={201: s.PlatformTenantCreatedOutput},
        summary="Create a tenant (as manage.py tenant_create): schema, first admin, API key, on a plan",
    )
    def create(self, request: Request) -> Response:
        data = s.PlatformTenantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = platform_tenant_create(actor=self.principal, **data.validated_data)
        return Response(s.PlatformTenantCreatedOutput(created.as_dict()).data, status=201)

    @extend_schema(
        request=s.PlatformTenantUpdateInput,
        responses=s.PlatformTenantOutput,
        summary="Change a tenant's plan (by code) or trial end, or suspend or resume it",
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        data = s.PlatformTenantUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.platform_tenant_update(actor=self.principal, slug=slug, **data.validated_data)
        return Response(s.PlatformTenantOutput(selectors.platform_tenant_get(actor=self.principal, slug=slug)).data)

    @extend_schema(
        request=None,
        responses={202: s.PlatformTenantOutput},
        summary="Cancel a tenant now and schedule its purge (schema and search indices) after the retention period",
        description="Answers 202 with the tenant, `status` canceled and `purge_at` set (VIGIL_BILLING_RETENTION_DAYS "
        "from now; its Stripe subscription, if any, is canceled). Nothing is deleted until then, and resuming the "
        "tenant (`PATCH` `status` active) calls the purge off. Deleting a canceled tenant changes nothing.",
    )
    def destroy(self, request: Request, slug: str) -> Response:
        platform_tenant_delete(actor=self.principal, slug=slug)
        tenant = selectors.platform_tenant_get(actor=self.principal, slug=slug)
        return Response(s.PlatformTenantOutput(tenant).data, status=202)

    @extend_schema(
        responses={
            200: s.InvoiceOutput(many=True),
            503: error_response("Stripe could not be reached or refused the call (`service_unavailable`)."),
        },
        operation_id="platform_tenants_invoices_list",
        summary="A tenant's invoices, from Stripe",
    )
    @action(detail=True, methods=["get"])
    def invoices(self, request: Request, slug: str) -> Response:
        found = usage_selectors.platform_tenant_invoices(actor=self.principal, slug=slug)
        return self.paged(found, s.InvoiceOutput)


@extend_schema_view(
    list=extend_schema(summary="Plans with their limits, features and Stripe prices"),
    retrieve=extend_schema(summary="One plan"),
)
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Plan
    serializer_class = s.PlanOutput
    lookup_field = "code"
    lookup_value_regex = SLUG_REGEX
    ordering_fields = ("code", "name", "created_at")
    conflicts = {"create": "A plan has this code"}

    def select(self) -> Any:
        return selectors.plan_list(actor=self.principal)

    def retrieve(self, request: Request, code: str) -> Response:
        return Response(s.PlanOutput(selectors.plan_get(actor=self.principal, code=code)).data)

    @extend_schema(request=s.PlanCreateInput, responses={201: s.PlanOutput}, summary="Create a plan")
    def create(self, request: Request) -> Response:
        data = s.PlanCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_create(actor=self.principal, **data.validated_data)
        return Response(s.PlanOutput(plan).data, status=201)

    @extend_schema(
        request=s.PlanUpdateInput,
        responses=s.PlanOutput,
        summary="Edit a plan; every tenant on it has the new limits and features at once",
    )
    def partial_update(self, request: Request, code: str) -> Response:
        data = s.PlanUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.PlanOutput(services.plan_update(actor=self.principal, code=code, **data.validated_data)).data)


class PlatformUsageViewSet(mixins.ListModelMixin, TenantViewSet):
    model = UsageDay
    serializer_class = s.UsageDayOutput

    def select(self) -> Any:
        return usage_selectors.platform_usage(actor=self.principal)

    @extend_schema(
        parameters=[s.UsageQueryInput],
        responses={(200, "application/json"): s.UsageDayOutput(many=True), (200, "text/csv"): OpenApiTypes.STR},
        summary="Each tenant's usage per UTC day (mentions, API requests, seats, rules, brands); `?export=csv`",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.UsageQueryInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        days = usage_selectors.platform_usage(actor=self.principal, since=v.get("since"), until=v.get("until"))
        if v.get("export") == "csv":
            response = HttpResponse(usage_selectors.usage_csv(days), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="usage.csv"'
            return response  # type: ignore[return-value]
        return self.paged(days, s.UsageDayOutput)


class PlatformMetricsView(ApiView):
    @extend_schema(
        operation_id="platform_metrics_retrieve",
        parameters=[s.UsageFilterInput],
        responses=s.PlatformMetricsOutput,
        summary="Tenants by billing status, MRR from active tenants' plans, and mentions per day (default 30 days)",
    )
    def get(self, request: Request) -> Response:
        data = s.UsageFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        metrics = usage_selectors.platform_metrics(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(s.PlatformMetricsOutput(metrics).data)
