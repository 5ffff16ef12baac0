"""Reads of notification channels and the delivery log."""

from django.db.models import QuerySet

from config.archive import archived_filter
from config.errors import NotFoundError, ValidationError
from tenants.identity.principals import Principal, check_permission
from tenants.notifications.catalogue import CATALOGUE, EventType
from tenants.notifications.models import Delivery, DeliveryStatus, NotificationChannel


def channel_list(*, actor: Principal, archived: bool = False) -> QuerySet[NotificationChannel]:
    """Live channels; with `archived`, the archived ones too."""
    check_permission(actor, "notifications.read")
    return archived_filter(NotificationChannel.objects.order_by("id"), archived)


def channel_get(*, actor: Principal, channel_id: int) -> NotificationChannel:
    check_permission(actor, "notifications.read")
    channel = NotificationChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFoundError(f"No notification channel {channel_id}.", field="id")
    return channel


def delivery_list(
    *,
    actor: Principal,
    channel_id: int | None = None,
    status: str | None = None,
    event_type: str | None = None,
) -> QuerySet[Delivery]:
    """Newest first, each with its attempts (prefetched: one query for a whole page)."""
    check_permission(actor, "notifications.read")
    deliveries = Delivery.objects.prefetch_related("attempts").order_by("-id")
    if channel_id is not None:
        deliveries = deliveries.filter(channel_id=channel_id)
    if status:
        if status not in DeliveryStatus.values:
            raise ValidationError(
                f"Unknown status '{status}'; expected one of {', '.join(DeliveryStatus.values)}.", field="status"
            )
        deliveries = deliveries.filter(status=status)
    if event_type:
        if event_type not in CATALOGUE:
            raise ValidationError(f"Unknown event type '{event_type}'.", field="event_type")
        deliveries = deliveries.filter(event_type=event_type)
    return deliveries


def delivery_get(*, actor: Principal, delivery_id: int) -> Delivery:
    delivery = delivery_list(actor=actor).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFoundError(f"No delivery {delivery_id}.", field="id")
    return delivery


def event_type_list(*, actor: Principal) -> list[EventType]:
    """The catalogue of events channels can subscribe to, by name; the same for every tenant."""
    check_permission(actor, "tenant.read")
    return sorted(CATALOGUE.values(), key=lambda event_type: event_type.name)
