"""Audit entries: written once, never changed (a database trigger refuses UPDATE and DELETE)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

__all__ = ["ActorType", "AuditEntry"]


class ActorType(models.TextChoices):
    USER = "user", "User"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"
    # A failed login: `actor_name` is the email that was tried.
    ANONYMOUS = "anonymous", "Anonymous"


class AuditEntry(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=100)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    # Plain values, not foreign keys: an entry outlives the user or key it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["action", "-id"], name="audit_by_action"),
            models.Index(fields=["created_at"], name="audit_by_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_by_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_type}:{self.actor_name} {self.action}"
