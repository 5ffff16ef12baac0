"""Notification channels, their tests and the delivery log over REST. Views parse, call a service, render."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import notification_serializers as s
from api.rest.base import ARCHIVED_PARAM, ApiView, TenantViewSet
from api.rest.identity import principal
from tenants.notifications import selectors, services
from tenants.notifications.models import Delivery, NotificationChannel


@extend_schema_view(
    list=extend_schema(summary="Notification channels (webhooks, email) and the events each one gets"),
    retrieve=extend_schema(summary="One notification channel (never its secret)"),
)
class NotificationChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = NotificationChannel
    serializer_class = s.ChannelOutput
    conflicts = {
        "create": "A channel has this name",
        "partial_update": "A channel has this name, or this one is archived",
        "restore": "A live channel took this one's name meanwhile",
        "rotate_secret": "The channel is archived",
        "test": "The channel is archived",
    }
    ordering_fields = ("name", "created_at", "updated_at")

    def select(self) -> Any:
        return selectors.channel_list(actor=self.principal, archived=self.include_archived())

    @extend_schema(parameters=[ARCHIVED_PARAM])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.ChannelCreateInput,
        responses={201: s.ChannelWithSecretOutput},
        summary="Add a channel; a webhook's signing secret is shown only in this response",
    )
    def create(self, request: Request) -> Response:
        data = s.ChannelCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel = services.channel_create(actor=self.principal, **data.validated_data)
        return Response(s.ChannelWithSecretOutput(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ChannelUpdateInput,
        responses=s.ChannelOutput,
        summary="Change a channel's name, target, format, events or state",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = s.ChannelUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel = services.channel_update(actor=self.principal, channel_id=int(pk), **data.validated_data)
        return Response(s.ChannelOutput(channel).data)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Archive: no more deliveries (pending ones fail); the delivery log stays",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.channel_archive(actor=self.principal, channel_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.ChannelOutput, summary="Restore an archived channel")
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        channel = services.channel_restore(actor=self.principal, channel_id=int(pk))
        return Response(s.ChannelOutput(channel).data)

    @extend_schema(
        request=None,
        responses=s.DeliveryOutput,
        summary="Send a test.ping to the channel now (once, even if inactive) and return the delivery",
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        delivery = services.channel_test(actor=self.principal, channel_id=int(pk))
        return Response(s.DeliveryOutput(delivery).data)

    @extend_schema(
        request=None,
        responses=s.ChannelWithSecretOutput,
        summary="Replace the webhook signing secret at once; the new one is shown only in this response",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        channel = services.channel_secret_rotate(actor=self.principal, channel_id=int(pk))
        return Response(s.ChannelWithSecretOutput(channel).data)

    @extend_schema(responses=s.DeliveryOutput(many=True), summary="The channel's deliveries, newest first")
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        channel = selectors.channel_get(actor=self.principal, channel_id=int(pk))
        return self.paged(selectors.delivery_list(actor=self.principal, channel_id=channel.pk), s.DeliveryOutput)


@extend_schema_view(retrieve=extend_schema(summary="One delivery with its attempts"))
class DeliveryViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    model = Delivery
    serializer_class = s.DeliveryOutput
    conflicts = {"redeliver": "The delivery has not failed, or its channel is archived"}
    ordering_fields = ("created_at", "completed_at", "next_attempt_at")

    def select(self) -> Any:
        return selectors.delivery_list(actor=self.principal)

    @extend_schema(
        parameters=[s.DeliveryFilterInput],
        responses=s.DeliveryOutput(many=True),
        summary="Deliveries with their attempts, newest first",
    )
    def list(self, request: Request) -> Response:
        data = s.DeliveryFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        filters = data.validated_data
        deliveries = selectors.delivery_list(
            actor=self.principal,
            channel_id=filters.get("channel"),
            status=filters.get("status"),
            event_type=filters.get("event_type"),
        )
        return self.paged(deliveries, s.DeliveryOutput)

    @extend_schema(request=None, responses=s.DeliveryOutput, summary="Send a failed delivery once more, now")
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str) -> Response:
        delivery = services.delivery_redeliver(actor=self.principal, delivery_id=int(pk))
        return Response(s.DeliveryOutput(delivery).data)


class WebhookEventTypeListView(ApiView):
    @extend_schema(
        operation_id="webhook_event_types_list",
        responses=s.WebhookEventTypeListOutput,
        summary="Every webhook event type, with its JSON Schema",
    )
    def get(self, request: Request) -> Response:
        types = selectors.event_type_list(actor=principal(request))
        results = s.WebhookEventTypeOutput(types, many=True).data
        return Response({"results": results, "next_cursor": None, "previous_cursor": None})
