"""Dead letters: background items that could not be processed, set aside with their reason so the rest goes on."""

from django.db import models


class DeadLetterKind(models.TextChoices):
    SEARCH_INDEX = "search_index", "Search indexing of a mention"
    WEBHOOK_DELIVERY = "webhook_delivery", "Notification delivery"
    WARNING_SCOPE = "warning_scope", "Warning evaluation of a policy on a scope"
    CASE_CLOCK = "case_clock", "SLA and escalation check of a case"
    ALERT_HANDLER = "alert_handler", "An alert handler run on one alert change"


class DeadLetter(models.Model):
    """One quarantined item: what it is (kind, model, key), why it failed, how often; resolved once a retry works."""

    kind = models.CharField(max_length=24, choices=DeadLetterKind.choices)
    item_model = models.CharField(max_length=64, help_text="app_label.Model of the item, e.g. monitoring.Mention.")
    item_key = models.CharField(max_length=200, help_text="The item's primary key, or the key the beat uses for it.")
    reason = models.TextField(help_text="Error class and message of the last failure, truncated.")
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One open letter per item: a repeated failure counts up on it instead of piling up rows.
            models.UniqueConstraint(
                fields=["kind", "item_key"],
                condition=models.Q(resolved_at__isnull=True),
                name="deadletter_one_open_per_item",
            )
        ]
        indexes = [models.Index(fields=["kind", "resolved_at"], name="deadletter_kind_resolved")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.item_key}"
