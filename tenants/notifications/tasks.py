"""Celery entry points for notifications: thin, per tenant (the schema rides in the message headers)."""

from typing import Any

from celery import shared_task

from tenants.context import current_tenant
from tenants.notifications.delivery import deliveries_retry_due, delivery_attempt, seconds_until
from tenants.notifications.models import DeliveryStatus


@shared_task(bind=True, name="notifications.webhooks_deliver", acks_late=True, max_retries=None)
def webhooks_deliver(self: Any, delivery_id: int) -> str | None:
    """Attempt one delivery; while it is still pending, come back when its next attempt is due."""
    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        raise self.retry(countdown=seconds_until(delivery.next_attempt_at))
    return delivery.status


@shared_task(name="notifications.webhooks_retry_due", acks_late=True)
def webhooks_retry_due() -> int:
    """Beat, once per tenant: send what is overdue, which is how deliveries whose task was lost still go out."""
    if current_tenant() is None:
        raise RuntimeError("this task runs per tenant; it was sent without one")
    return deliveries_retry_due()
