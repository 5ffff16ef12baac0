"""Notification channels of a tenant and the log of what was sent to them, attempt by attempt."""

from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from config.archive import Archivable, live_name_unique

__all__ = ["ChannelKind", "Delivery", "DeliveryAttempt", "DeliveryStatus", "NotificationChannel", "WebhookFormat"]


class ChannelKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "Email"


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", "Generic JSON envelope"
    SLACK = "slack", "Slack incoming webhook"
    WECOM = "wecom", "WeCom (企业微信) group robot"
    DINGTALK = "dingtalk", "DingTalk (钉钉) custom robot"
    FEISHU = "feishu", "Feishu / Lark custom bot"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class NotificationChannel(Archivable):
    """Where a tenant's events go. Webhooks are signed with `secret` (Standard Webhooks); email has no secret."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    url = models.CharField(max_length=2000, blank=True)
    format = models.CharField(max_length=20, choices=WebhookFormat.choices, blank=True)
    # Kept readable because every request is signed with it; the API shows it in full only once.
    secret = models.CharField(max_length=100, blank=True)
    # The 加签 secret a DingTalk or Feishu robot shows when it is created; write-only in the API.
    robot_secret = models.CharField(max_length=200, blank=True)
    emails = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    event_types = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [live_name_unique("channel")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def robot_signing(self) -> bool:
        return bool(self.robot_secret)


class Delivery(models.Model):
    """One event for one channel. `payload` is the envelope {id, type, created_at, tenant, data}."""

    # PROTECT: the delivery log outlives its channel, which is archived, never deleted.
    channel = models.ForeignKey(NotificationChannel, on_delete=models.PROTECT, related_name="deliveries")
    event_id = models.CharField(max_length=40, db_index=True)
    event_type = models.CharField(max_length=100)
    title = models.CharField(max_length=500)
    text = models.TextField()
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "event_id"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.channel_id} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The first KiB of the receiver's answer (tenants.notifications.delivery.REPLY_BYTES).
    response_excerpt = models.CharField(max_length=1024, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
