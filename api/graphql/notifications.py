"""Notification channels and the delivery log over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from tenants.notifications import models, selectors, services
from tenants.notifications.signing import secret_mask

ROBOT_SECRET_HELP = (
    "DINGTALK and FEISHU only: the 加签 secret the robot's settings show (DingTalk's starts with SEC); "
    "requests are then signed the platform's way. Write-only; an empty string clears it."
)


@strawberry_django.type(models.NotificationChannel)
class NotificationChannel:
    id: strawberry.auto
    name: strawberry.auto
    kind: models.ChannelKind
    url: strawberry.auto
    emails: list[str]
    event_types: list[str]
    is_active: strawberry.auto
    created_at: strawberry.auto
    updated_at: strawberry.auto
    archived_at: strawberry.auto
    archived_by: strawberry.auto

    @strawberry_django.field(description="How a webhook's body is shaped; null for email.")
    def format(self, root: models.NotificationChannel) -> models.WebhookFormat | None:
        return models.WebhookFormat(root.format) if root.format else None

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


@strawberry_django.type(models.Delivery)
class Delivery:
    id: strawberry.auto
    event_id: str
    event_type: str = strawberry.field(description="The event's type, e.g. alert.opened (an open catalogue).")
    title: str
    text: str
    payload: JSON
    status: models.DeliveryStatus
    attempt_count: int
    max_attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    attempts: Connection[DeliveryAttempt] = connection(description="Each try, first first.")

    @strawberry_django.field
    def channel_id(self, root: models.Delivery) -> strawberry.ID:
        # An ID, like `id`, so a delivery's channelId equals its channel's id.
        return strawberry.ID(str(root.channel_id))


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
    @strawberry.field(
        description="Every webhook event type a channel can subscribe to, by name, with its JSON Schema (a fixed "
        "catalogue, so one list rather than pages)."
    )
    def webhook_event_types(self, info: Info) -> list[WebhookEventType]:
        return [
            WebhookEventType(name=t.name, description=t.description, schema=cast(JSON, t.schema))
            for t in selectors.event_type_list(actor=actor(info))
        ]

    @connection(
        Connection[NotificationChannel],
        description="Live channels by id; `archived: true` includes archived (deleted) ones.",
    )
    def notification_channels(self, info: Info, archived: bool = False) -> QuerySet[models.NotificationChannel]:
        return selectors.channel_list(actor=actor(info), archived=archived)

    @connection(Connection[Delivery], description="Deliveries with their attempts, newest first.")
    def deliveries(
        self,
        info: Info,
        channel_id: int | None = None,
        status: models.DeliveryStatus | None = None,
        event_type: str | None = None,
    ) -> QuerySet[models.Delivery]:
        found = selectors.delivery_list(actor=actor(info), channel_id=channel_id, status=status, event_type=event_type)
        # The selector fetches what REST shows; here the optimizer fetches what the query asks for.
        return found.prefetch_related(None)


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
        return cast(Delivery, services.channel_test(actor=actor(info), channel_id=id))

    @strawberry.mutation(description="Replace a webhook's signing secret; the new one is returned only here.")
    def rotate_notification_channel_secret(self, info: Info, id: int) -> NotificationChannelWithSecret:
        channel = services.channel_secret_rotate(actor=actor(info), channel_id=id)
        return NotificationChannelWithSecret(channel=cast(NotificationChannel, channel), secret=channel.secret)

    @strawberry.mutation(description="Send a failed delivery once more, now.")
    def redeliver_delivery(self, info: Info, id: int) -> Delivery:
        return cast(Delivery, services.delivery_redeliver(actor=actor(info), delivery_id=id))
