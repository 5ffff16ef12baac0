"""Plans, each tenant's billing account (plan, status, Stripe ids), its status history and the Stripe events seen.

All of it lives in the public schema: billing admins manage it there, and Stripe's webhooks arrive there."""

from django.db import models

from tenants.models import Tenant

# What a plan may limit; a limit that is absent (or null) is unlimited.
LIMIT_KEYS = ("mentions_per_month", "seats", "rules", "brands", "retention_days", "api_requests_per_minute")
FEATURE_KEYS = ("analytics", "graphql")


class Plan(models.Model):
    code: models.SlugField = models.SlugField(max_length=40, unique=True)
    name: models.CharField = models.CharField(max_length=200)
    stripe_base_price_id: models.CharField = models.CharField(max_length=255, blank=True)
    stripe_metered_price_id: models.CharField = models.CharField(max_length=255, blank=True)
    limits: models.JSONField = models.JSONField(default=dict)
    features: models.JSONField = models.JSONField(default=dict)
    # What an active subscription on the plan brings in a month (the base price, in cents of `currency`): the
    # platform metrics' MRR adds these up rather than asking Stripe for every subscription.
    monthly_price_cents: models.PositiveIntegerField = models.PositiveIntegerField(default=0)
    currency: models.CharField = models.CharField(max_length=3, default="usd")
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)
    updated_at: models.DateTimeField = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class BillingStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELED = "canceled", "Canceled"


class BillingAccount(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="accounts")
    status: models.CharField = models.CharField(
        max_length=20, choices=BillingStatus.choices, default=BillingStatus.TRIALING
    )
    trial_end: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    stripe_customer_id: models.CharField = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id: models.CharField = models.CharField(max_length=255, blank=True)
    # When the newest Stripe event applied to this account was created at Stripe: older ones arriving late
    # are recorded but do not move the state back.
    stripe_state_at: models.DateTimeField = models.DateTimeField(null=True, blank=True)
    status_changed_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)
    # When a canceled account's tenant is purged (schema and search indices deleted): set on cancellation to
    # BILLING_RETENTION_DAYS later, cleared when the account leaves `canceled` (reactivated before the purge).
    purge_at: models.DateTimeField = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.status}"


class StatusChange(models.Model):
    """Append-only history of an account's billing status."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="changes")
    from_status: models.CharField = models.CharField(max_length=20, choices=BillingStatus.choices, blank=True)
    to_status: models.CharField = models.CharField(max_length=20, choices=BillingStatus.choices)
    reason: models.CharField = models.CharField(max_length=200)
    actor_name: models.CharField = models.CharField(max_length=200)
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class StripeEvent(models.Model):
    """Each Stripe event id once: a replay finds its row and does nothing."""

    event_id: models.CharField = models.CharField(max_length=255, unique=True)
    type: models.CharField = models.CharField(max_length=100)
    stripe_created_at: models.DateTimeField = models.DateTimeField()
    account = models.ForeignKey(BillingAccount, on_delete=models.SET_NULL, null=True, related_name="stripe_events")
    # What processing did: "applied", "stale" (older than the account's state), "ignored" (no account or type).
    outcome: models.CharField = models.CharField(max_length=20)
    received_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


class UsageDay(models.Model):
    """What one tenant used on one UTC day: mentions newly stored (added once per ingest batch, in its transaction),
    API requests (counted in Redis, written here by `billing.usage_flush`), and the seats, rules and brands the
    tenant had when the flush last ran that day.

    `mentions_reported` is how many of the day's mentions Stripe has been told about (tenants.billing.usage_report).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_days")
    day: models.DateField = models.DateField()
    mentions: models.BigIntegerField = models.BigIntegerField(default=0)
    api_requests: models.BigIntegerField = models.BigIntegerField(default=0)
    seats: models.IntegerField = models.IntegerField(null=True)
    rules: models.IntegerField = models.IntegerField(null=True)
    brands: models.IntegerField = models.IntegerField(null=True)
    mentions_reported: models.BigIntegerField = models.BigIntegerField(default=0)
    updated_at: models.DateTimeField = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "tenant_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="billing_usageday_tenant_day")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day}: {self.mentions}"


class QuotaNotice(models.Model):
    """A quota notice sent to a tenant (80% or 100% of its monthly mentions): at most one per level and month."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="quota_notices")
    month: models.DateField = models.DateField(help_text="The first day of the calendar month (UTC).")
    limit_key: models.CharField = models.CharField(max_length=40)
    percent: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField()
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "month", "limit_key", "percent"], name="billing_quotanotice_once")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month} {self.limit_key} {self.percent}%"


class UsageReport(models.Model):
    """One meter event sent (or to be sent) to Stripe: mentions `from_count`..`to_count` of a tenant's day.

    The row is written before the call and marked `sent_at` after it; a retried job sends a pending row again with
    the same `identifier`, which Stripe deduplicates, so usage is never reported twice."""

    usage_day = models.ForeignKey(UsageDay, on_delete=models.CASCADE, related_name="reports")
    identifier: models.CharField = models.CharField(max_length=100, unique=True)
    from_count: models.BigIntegerField = models.BigIntegerField()
    to_count: models.BigIntegerField = models.BigIntegerField()
    stripe_customer_id: models.CharField = models.CharField(max_length=255)
    timestamp: models.DateTimeField = models.DateTimeField(help_text="The meter event's time, within the day.")
    created_at: models.DateTimeField = models.DateTimeField(auto_now_add=True)
    sent_at: models.DateTimeField = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.identifier

    @property
    def value(self) -> int:
        return int(self.to_count - self.from_count)
