"""Early warning: per-minute aggregates per scope, warning policies, alerts with their history, silences."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from config.archive import Archivable, live_name_unique


class ScopeKind(models.TextChoices):
    TENANT = "tenant", "Whole tenant"
    RULE = "rule", "Monitoring rule"
    BRAND = "brand", "Brand"


class MinuteBucket(models.Model):
    """Counts of new mentions per scope (`tenant`, `rule:<id>`, `brand:<id>`) and minute of publication."""

    scope = models.CharField(max_length=40)
    minute = models.DateTimeField()
    mentions = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    angry = models.IntegerField(default=0)
    fear = models.IntegerField(default=0)
    sad = models.IntegerField(default=0)
    surprise = models.IntegerField(default=0)
    engagement = models.BigIntegerField(default=0)
    authors = models.IntegerField(default=0, help_text="Distinct authors within each ingest batch, summed.")
    reposts = models.IntegerField(default=0)
    influential = models.IntegerField(default=0, help_text="Mentions by authors at or above the follower threshold.")
    verified = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "minute"], name="bucket_scope_minute")]

    def __str__(self) -> str:
        return f"{self.scope}@{self.minute:%Y-%m-%d %H:%M}"


class Level(models.TextChoices):
    """Warning levels, mildest first: blue (IV), yellow (III), orange (II), red (I)."""

    BLUE = "blue", "Blue (IV)"
    YELLOW = "yellow", "Yellow (III)"
    ORANGE = "orange", "Orange (II)"
    RED = "red", "Red (I)"


LEVEL_RANK = {Level.BLUE: 1, Level.YELLOW: 2, Level.ORANGE: 3, Level.RED: 4}


class WarningPolicy(Archivable):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    scope_kind = models.CharField(max_length=10, choices=ScopeKind.choices, default=ScopeKind.TENANT)
    scope_ids = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        help_text="Rules or brands it watches; empty means all of that kind.",
    )
    indicators = models.JSONField(help_text="[{key, type, window_minutes, params, weight}]")
    weighting = models.CharField(max_length=10, choices=[("direct", "Direct"), ("ahp", "AHP")], default="direct")
    ahp_matrix = models.JSONField(null=True, blank=True)
    consistency_ratio = models.FloatField(null=True, blank=True)
    thresholds = models.JSONField(help_text="{blue, yellow, orange, red}: index values 0–100, increasing.")
    realert_minutes = models.PositiveIntegerField(default=30)
    resolve_below = models.FloatField(help_text="Index under which an alert counts towards auto-resolution.")
    resolve_after = models.PositiveIntegerField(default=3, help_text="Consecutive evaluations below to resolve.")
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Not evaluated from this time on (a post-crisis watch); empty: never expires."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "warning policies"
        constraints = [live_name_unique("policy")]

    def __str__(self) -> str:
        return self.name


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    # PROTECT: an alert (and the cases linked to it) outlives its policy, which is archived, never deleted.
    policy = models.ForeignKey(WarningPolicy, on_delete=models.PROTECT, related_name="alerts")
    scope = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    level = models.CharField(max_length=6, choices=Level.choices)
    peak_level = models.CharField(max_length=6, choices=Level.choices)
    index_value = models.FloatField()
    peak_index = models.FloatField()
    indicators = models.JSONField(help_text="Snapshot of every indicator's value, score and weight at the last change.")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=10, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    last_evaluated_at = models.DateTimeField()
    below_count = models.PositiveIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    last_notified_level = models.CharField(max_length=6, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "scope"],
                condition=~models.Q(status="resolved"),
                name="one_live_alert_per_policy_scope",
            ),
        ]
        indexes = [models.Index(fields=["status", "level"], name="alert_status_level")]

    def __str__(self) -> str:
        return f"{self.level} alert on {self.scope} ({self.status})"


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20)
    level = models.CharField(max_length=6, choices=Level.choices, blank=True)
    index_value = models.FloatField(null=True)
    actor = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.alert_id}"


class Silence(models.Model):
    scope = models.CharField(max_length=40)
    policy = models.ForeignKey(WarningPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="silences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when someone ends the silence before `ends_at`, which is kept as it was planned.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-ends_at"]
        indexes = [models.Index(fields=["scope", "ends_at"], name="silence_scope_end")]

    def __str__(self) -> str:
        return f"silence {self.scope} until {self.ends_at}"
