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
