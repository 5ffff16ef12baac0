"""Notification channels and the delivery log over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from tenants.notifications import models, selectors, services
from tenants.notifications.signing import secret_mask

ChannelKind = strawberry.enum(models.ChannelKind, name="NotificationChannelKind")
WebhookFormat = strawberry.enum(models.WebhookFormat, name="WebhookFormat")
DeliveryStatus = strawberry.enum(models.DeliveryStatus, name="DeliveryStatus")

MAX_PAGE = 200
ROBOT_SECRET_HELP = (
    "DINGTALK and FEISHU only: the 加签 secret the robot's settings show (DingTalk's starts with SEC); "
    "requests are then signed the platform's way. Write-only; an empty string clears it."
)


@strawberry_django.type(models.NotificationChannel)
class NotificationChannel:
    id: strawberry.auto
    name: strawberry.auto
    kind: str
    url: strawberry.auto
    format: str
    emails: list[str]
    event_types: list[str]
    is_active: strawberry.auto
    created_at: strawberry.auto
    updated_at: strawberry.auto
    archived_at: strawberry.auto
    archived_by: strawberry.auto

    @strawberry_django.field(description="Masked; shown in full only when created or rotated.")
    def secret(self, root: models.NotificationChannel) -> str | None:
        return secret_mask(root.secret)

    @strawberry_django.field(description="Whether a robot secret is set (the secret itself is never shown).")
    def robot_signing(self, root: models.NotificationChannel) -> bool:
        return root.robot_signing


@strawberry.type
class NotificationChannelWithSecret:
    channel: NotificationChannel
    secret: str | None = strawberry.field(description="The full signing secret (whsec_…). Shown only this once.")


@strawberry_django.type(models.DeliveryAttempt)
class DeliveryAttempt:
    number: strawberry.auto
    started_at: strawberry.auto
    duration_ms: strawberry.auto
    status_code: strawberry.auto
    error: strawberry.auto
    response_excerpt: strawberry.auto


@strawberry.type
class Delivery:
    # IDs, like the `id` of the strawberry_django types, so a delivery's channelId equals its channel's id.
    id: strawberry.ID
    channel_id: strawberry.ID
    event_id: str
    event_type: str
    title: str
    text: str
    payload: JSON
    status: str
    attempt_count: int
    max_attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    attempts: list[DeliveryAttempt]

    @classmethod
    def from_model(cls, delivery: models.Delivery) -> "Delivery":
        return cls(
            id=strawberry.ID(str(delivery.pk)),
            channel_id=strawberry.ID(str(delivery.channel_id)),
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            title=delivery.title,
            text=delivery.text,
            payload=delivery.payload,
            status=delivery.status,
            attempt_count=delivery.attempt_count,
            max_attempts=delivery.max_attempts,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            completed_at=delivery.completed_at,
            attempts=cast(list[DeliveryAttempt], list(delivery.attempts.all())),
        )


@strawberry.input
class NotificationChannelInput:
    name: str
    kind: models.ChannelKind
    url: str = ""
    format: models.WebhookFormat | None = None
    emails: list[str] = strawberry.field(default_factory=list)
    event_types: list[str] = strawberry.field(default_factory=list, description="Empty: every event type.")
    is_active: bool = True
    robot_secret: str = strawberry.field(default="", description=ROBOT_SECRET_HELP)


@strawberry.input
class NotificationChannelPatch:
    name: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    format: models.WebhookFormat | None = strawberry.UNSET
    emails: list[str] | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET
    robot_secret: str | None = strawberry.field(default=strawberry.UNSET, description=ROBOT_SECRET_HELP)


def _given(patch: Any) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in vars(patch).items() if v is not strawberry.UNSET and v is not None}


@strawberry.type
class WebhookEventType:
    name: str = strawberry.field(description="What `eventTypes` of a channel and the `type` of a webhook body say.")
    description: str
    schema: JSON = strawberry.field(description="JSON Schema (2020-12) of the generic-format webhook body.")


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="Every webhook event type a channel can subscribe to, with its JSON Schema.")
    def webhook_event_types(self, info: Info) -> list[WebhookEventType]:
        return [
            WebhookEventType(name=t.name, description=t.description, schema=cast(JSON, t.schema))
            for t in selectors.event_type_list(actor=actor(info))
        ]

    @strawberry.field(description="Live channels; `archived: true` includes archived (deleted) ones.")
    def notification_channels(self, info: Info, archived: bool = False) -> list[NotificationChannel]:
        return cast(list[NotificationChannel], list(selectors.channel_list(actor=actor(info), archived=archived)))

    @strawberry.field(description="Deliveries with their attempts, newest first.")
    def deliveries(
        self,
        info: Info,
        channel_id: int | None = None,
        status: models.DeliveryStatus | None = None,
        event_type: str | None = None,
        first: int = 50,
        offset: int = 0,
    ) -> list[Delivery]:
        deliveries = selectors.delivery_list(
            actor=actor(info),
            channel_id=channel_id,
            status=status.value if status else None,
            event_type=event_type,
        )
        start = max(offset, 0)
        page = deliveries[start : start + max(1, min(first, MAX_PAGE))]
        return [Delivery.from_model(d) for d in page]


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Create a channel; a webhook's signing secret is returned in full only here.")
    def create_notification_channel(self, info: Info, input: NotificationChannelInput) -> NotificationChannelWithSecret:
        channel = services.channel_create(
            actor=actor(info),
            name=input.name,
            kind=input.kind.value,
            url=input.url,
            format=input.format.value if input.format else None,
            emails=input.emails,
            event_types=input.event_types,
            is_active=input.is_active,
            robot_secret=input.robot_secret,
        )
        return NotificationChannelWithSecret(channel=cast(NotificationChannel, channel), secret=channel.secret or None)

    @strawberry.mutation
    def update_notification_channel(self, info: Info, id: int, input: NotificationChannelPatch) -> NotificationChannel:
        channel = services.channel_update(actor=actor(info), channel_id=id, **_given(input))
        return cast(NotificationChannel, channel)

    @strawberry.mutation(description="Archive: no more deliveries (pending ones fail); the delivery log stays.")
    def delete_notification_channel(self, info: Info, id: int) -> bool:
        services.channel_archive(actor=actor(info), channel_id=id)
        return True

    @strawberry.mutation(description="Bring back an archived channel.")
    def restore_notification_channel(self, info: Info, id: int) -> NotificationChannel:
        return cast(NotificationChannel, services.channel_restore(actor=actor(info), channel_id=id))

    @strawberry.mutation(description="Send a test.ping to the channel now and return the delivery.")
    def test_notification_channel(self, info: Info, id: int) -> Delivery:
        return Delivery.from_model(services.channel_test(actor=actor(info), channel_id=id))

    @strawberry.mutation(description="Replace a webhook's signing secret; the new one is returned only here.")
    def rotate_notification_channel_secret(self, info: Info, id: int) -> NotificationChannelWithSecret:
        channel = services.channel_secret_rotate(actor=actor(info), channel_id=id)
        return NotificationChannelWithSecret(channel=cast(NotificationChannel, channel), secret=channel.secret)

    @strawberry.mutation(description="Send a failed delivery once more, now.")
    def redeliver_delivery(self, info: Info, id: int) -> Delivery:
        return Delivery.from_model(services.delivery_redeliver(actor=actor(info), delivery_id=id))
