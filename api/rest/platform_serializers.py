"""Input and output of the billing admin's platform API (tenants and plans, on the public schema)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.billing.models import FEATURE_KEYS, LIMIT_KEYS, BillingStatus, Plan
from tenants.billing.period_usage import period_usage
from tenants.billing.services import ADMIN_STATUSES, CODE_PATTERN
from tenants.models import SLUG_PATTERN, Tenant

LIMITS_HELP = f"Limit names ({', '.join(LIMIT_KEYS)}) to whole numbers; absent or null means unlimited."
FEATURES_HELP = f"Feature names ({', '.join(FEATURE_KEYS)}) to true or false."


class LimitsField(serializers.DictField):
    child = serializers.IntegerField(min_value=0, max_value=2**31 - 1, allow_null=True)


class FeaturesField(serializers.DictField):
    child = serializers.BooleanField()


class PlanOutput(serializers.ModelSerializer):
    limits = LimitsField(help_text=LIMITS_HELP)
    features = FeaturesField(help_text=FEATURES_HELP)

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "stripe_base_price_id",
            "stripe_metered_price_id",
            "limits",
            "features",
            "monthly_price_cents",
            "currency",
            "created_at",
            "updated_at",
        ]


class PlanCreateInput(serializers.Serializer):
    code = serializers.RegexField(CODE_PATTERN, max_length=40)
    name = serializers.CharField(max_length=200)
    stripe_base_price_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
    stripe_metered_price_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
    limits = LimitsField(required=False, help_text=LIMITS_HELP)
    features = FeaturesField(required=False, help_text=FEATURES_HELP)
    monthly_price_cents = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="The base price a month, in cents (for MRR)."
    )
    currency = serializers.RegexField(r"^[a-z]{3}$", required=False, help_text="ISO 4217, lowercase (usd).")


class PlanUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    stripe_base_price_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
    stripe_metered_price_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
    limits = LimitsField(required=False, help_text=LIMITS_HELP)
    features = FeaturesField(required=False, help_text=FEATURES_HELP)
    monthly_price_cents = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="The base price a month, in cents (for MRR)."
    )
    currency = serializers.RegexField(r"^[a-z]{3}$", required=False, help_text="ISO 4217, lowercase (usd).")


class UsedOfLimit(serializers.Serializer):
    used = serializers.IntegerField(allow_null=True, help_text="Null for seats, rules and brands before a flush.")
    limit = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")


class PeriodUsageOutput(serializers.Serializer):
    period_start = serializers.DateField(help_text="The calendar month (UTC) the quota counts.")
    resets_at = serializers.DateTimeField(help_text="When the monthly quota starts again.")
    mentions = UsedOfLimit(help_text="Mentions stored this month against mentions_per_month.")
    seats = UsedOfLimit(help_text="Users and pending invitations (as of the last usage flush).")
    rules = UsedOfLimit()
    brands = UsedOfLimit()
    api_requests_today = serializers.IntegerField(help_text="As of the last usage flush.")
    api_requests_per_minute = serializers.IntegerField(allow_null=True)


class PlatformTenantOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    plan = serializers.CharField(source="billing.plan.code", help_text="The plan's code.")
    status = serializers.ChoiceField(source="billing.status", choices=BillingStatus.choices)
    trial_end = serializers.DateTimeField(source="billing.trial_end", allow_null=True)
    status_changed_at = serializers.DateTimeField(source="billing.status_changed_at")
    purge_at = serializers.DateTimeField(
        source="billing.purge_at",
        allow_null=True,
        help_text="When a canceled tenant's schema and search indices are deleted; null unless canceled.",
    )
    limits = LimitsField(source="billing.plan.limits", help_text=LIMITS_HELP)
    features = FeaturesField(source="billing.plan.features", help_text=FEATURES_HELP)
    stripe_customer_id = serializers.CharField(source="billing.stripe_customer_id")
    stripe_subscription_id = serializers.CharField(source="billing.stripe_subscription_id")
    usage = serializers.SerializerMethodField(help_text="Usage this calendar month (UTC) against the plan's limits.")
    last_activity_at = serializers.DateTimeField(
        allow_null=True, default=None, help_text="When mentions or API requests were last counted for the tenant."
    )

    @extend_schema_field(PeriodUsageOutput)
    def get_usage(self, tenant: Tenant) -> dict[str, Any]:
        return period_usage(tenant)


class UsageFilterInput(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First UTC day (default: this month's first).")
    until = serializers.DateField(required=False, help_text="Last UTC day, included (default: today).")


class UsageQueryInput(UsageFilterInput):
    export = serializers.ChoiceField(choices=["csv"], required=False, help_text="`csv`: every row as a CSV file.")


class UsageDayOutput(serializers.Serializer):
    day = serializers.DateField()
    tenant = serializers.CharField(source="tenant.slug", help_text="The tenant's slug.")
    mentions = serializers.IntegerField(help_text="Mentions newly stored that day.")
    api_requests = serializers.IntegerField(help_text="As of the last usage flush.")
    seats = serializers.IntegerField(allow_null=True, help_text="Snapshot by the usage flush; null: none taken.")
    rules = serializers.IntegerField(allow_null=True)
    brands = serializers.IntegerField(allow_null=True)
    mentions_reported = serializers.IntegerField(help_text="How many of the day's mentions Stripe was told of.")


class MoneyOutput(serializers.Serializer):
    currency = serializers.CharField()
    amount_cents = serializers.IntegerField()


class MentionsDayOutput(serializers.Serializer):
    day = serializers.DateField()
    mentions = serializers.IntegerField()


class PlatformMetricsOutput(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    tenants_by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every billing status.")
    active_tenants = serializers.IntegerField(help_text="Active and trialing tenants.")
    mrr = MoneyOutput(many=True, help_text="Monthly recurring revenue: active tenants' plan prices, per currency.")
    mentions_per_day = MentionsDayOutput(many=True, help_text="All tenants' new mentions per UTC day.")


class PlatformTenantCreateInput(serializers.Serializer):
    slug = serializers.RegexField(SLUG_PATTERN, max_length=40, help_text="Lowercase letters, digits and hyphens.")
    name = serializers.CharField(max_length=200)
    admin_email = serializers.EmailField(max_length=254)
    admin_password = serializers.CharField(
        max_length=200, min_length=10, required=False, trim_whitespace=False, help_text="Generated when omitted."
    )
    plan = serializers.RegexField(CODE_PATTERN, max_length=40, required=False, help_text="A plan code.")


class PlatformTenantCreatedOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    schema = serializers.CharField()
    domain = serializers.CharField()
    plan = serializers.CharField()
    admin_email = serializers.EmailField()
    admin_password = serializers.CharField(help_text="Shown only in this response.")
    api_key = serializers.CharField(help_text="The tenant's first admin API key; shown only in this response.")
    search_index = serializers.CharField(allow_null=True)


class PlatformTenantUpdateInput(serializers.Serializer):
    plan = serializers.RegexField(CODE_PATTERN, max_length=40, required=False, help_text="A plan code.")
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in ADMIN_STATUSES],
        required=False,
        help_text="`suspended` suspends the tenant, `active` resumes it (a canceled one too, calling its purge off).",
    )
    trial_end = serializers.DateTimeField(required=False, allow_null=True)


class StripeWebhookOutput(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.ChoiceField(
        choices=["applied", "replay", "stale", "ignored"],
        help_text="applied; replay (this event id was seen: nothing changed); stale (older than the tenant's "
        "billing state: recorded, nothing changed); ignored (no tenant or an event type Vigil does not use).",
    )


class NextInvoiceOutput(serializers.Serializer):
    amount_due = serializers.IntegerField(allow_null=True, help_text="In the currency's smallest unit (cents).")
    currency = serializers.CharField(allow_null=True)
    period_end = serializers.DateTimeField(allow_null=True)


class BillingOutput(serializers.Serializer):
    plan = serializers.CharField(help_text="The plan's code.")
    plan_name = serializers.CharField()
    status = serializers.ChoiceField(choices=BillingStatus.choices)
    trial_end = serializers.DateTimeField(allow_null=True)
    limits = LimitsField(help_text=LIMITS_HELP)
    features = FeaturesField(help_text=FEATURES_HELP)
    stripe_customer_id = serializers.CharField()
    stripe_subscription_id = serializers.CharField()
    usage = PeriodUsageOutput(help_text="This calendar month (UTC) against every limit of the plan.")
    next_invoice = NextInvoiceOutput(
        allow_null=True, help_text="The next invoice as Stripe would draw it now; null without a subscription."
    )


class CheckoutInput(serializers.Serializer):
    plan = serializers.RegexField(CODE_PATTERN, max_length=40, help_text="The plan code to subscribe to.")
    success_url = serializers.URLField(max_length=2000, help_text="Where Stripe sends the admin after paying.")
    cancel_url = serializers.URLField(max_length=2000, help_text="Where Stripe sends the admin on cancel.")


class PortalInput(serializers.Serializer):
    return_url = serializers.URLField(max_length=2000, help_text="Where the portal's back link goes.")


class StripeUrlOutput(serializers.Serializer):
    # A plain string: Stripe's test servers answer with URL templates (`{SESSION_SECRET}`) no URI format admits.
    url = serializers.CharField(help_text="Send the admin's browser here (a Stripe URL).")


class InvoiceOutput(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    amount_due = serializers.IntegerField(allow_null=True, help_text="In the currency's smallest unit.")
    amount_paid = serializers.IntegerField(allow_null=True)
    created = serializers.IntegerField(allow_null=True, help_text="Unix time, as Stripe gives it.")
    hosted_invoice_url = serializers.CharField(allow_null=True)
