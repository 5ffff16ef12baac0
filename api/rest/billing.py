"""Billing: a tenant admin's plan, Checkout and Portal sessions and invoices (tenant hosts), and Stripe's webhook
endpoint (public host: no credentials, the Stripe-Signature is the proof)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import platform_serializers as s
from api.rest.base import ApiView, TenantViewSet
from api.rest.platform_serializers import StripeWebhookOutput
from api.rest.schema import error_response
from tenants.billing import tenant_billing
from tenants.billing.models import BillingAccount
from tenants.billing.webhooks import SIGNATURE_HEADER, stripe_webhook_handle

STRIPE_DOWN = error_response("Stripe could not be reached or refused the call (`service_unavailable`).")


class StripeWebhookView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    idempotent = False

    @extend_schema(
        operation_id="billing_stripe_webhook",
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Stripe's signature of the raw body (`t=<timestamp>,v1=<signature>`).",
            )
        ],
        responses={
            200: StripeWebhookOutput,
            400: error_response(
                "The signature is missing, wrong or older than the tolerance (`bad_signature`, field "
                "`Stripe-Signature`), or the body is not an event; nothing changed."
            ),
            503: error_response("Webhooks are not configured on this server (`service_unavailable`)."),
        },
        summary="Receive a Stripe event (signed); each event id is applied once",
    )
    def post(self, request: Request) -> Response:
        # The raw bytes as Stripe signed them, never the parsed body.
        outcome = stripe_webhook_handle(
            payload=request._request.body, signature=request.headers.get(SIGNATURE_HEADER, "")
        )
        return Response({"received": True, "outcome": outcome})


class BillingView(ApiView):
    @extend_schema(
        operation_id="billing_retrieve",
        responses=s.BillingOutput,
        summary="The tenant's plan, billing status, trial end and limits (admins)",
    )
    def get(self, request: Request) -> Response:
        summary = tenant_billing.billing_summary(actor=request.user)  # type: ignore[arg-type]
        return Response(s.BillingOutput(summary).data)


class BillingCheckoutView(ApiView):
    conflicts = {"post": "The plan has no Stripe price (`no_price`)"}

    @extend_schema(
        operation_id="billing_checkout_create",
        request=s.CheckoutInput,
        responses={200: s.StripeUrlOutput, 503: STRIPE_DOWN},
        summary="A Stripe Checkout URL to subscribe to a plan or change to it (admins)",
    )
    def post(self, request: Request) -> Response:
        data = s.CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        url = tenant_billing.checkout_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response({"url": url})


class BillingPortalView(ApiView):
    @extend_schema(
        operation_id="billing_portal_create",
        request=s.PortalInput,
        responses={200: s.StripeUrlOutput, 503: STRIPE_DOWN},
        summary="A Stripe Customer Portal URL to manage payment and the subscription (admins)",
    )
    def post(self, request: Request) -> Response:
        data = s.PortalInput(data=request.data)
        data.is_valid(raise_exception=True)
        url = tenant_billing.portal_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response({"url": url})


class InvoiceViewSet(TenantViewSet):
    model = BillingAccount
    serializer_class = s.InvoiceOutput

    @extend_schema(
        responses={200: s.InvoiceOutput(many=True), 503: STRIPE_DOWN},
        summary="The tenant's invoices, from Stripe (admins)",
    )
    def list(self, request: Request) -> Response:
        return self.paged(tenant_billing.invoice_list(actor=self.principal), s.InvoiceOutput)
