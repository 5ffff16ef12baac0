"""Stripe's webhook endpoint, on the public schema: no credentials, the Stripe-Signature is the proof."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ApiView
from api.rest.platform_serializers import StripeWebhookOutput
from api.rest.schema import error_response
from tenants.billing.webhooks import SIGNATURE_HEADER, stripe_webhook_handle


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
