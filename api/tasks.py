"""Celery entry points of the api app; autodiscovery imports this module, so the tasks below get registered."""

from api.webhooks.tasks import webhooks_deliver, webhooks_retry_due

__all__ = ["webhooks_deliver", "webhooks_retry_due"]
