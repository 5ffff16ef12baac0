"""The default plans, and an account on the trial plan for every tenant made before billing existed.

Billing admins edit the plans afterwards (PATCH /api/v1/platform/plans/{code}); this runs once."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

DEFAULT_PLANS = [
    {
        "code": "trial",
        "name": "Trial",
        "limits": {"mentions_per_month": 10000, "seats": 3, "rules": 10, "brands": 2, "retention_days": 30,
                   "api_requests_per_minute": 60},
        "features": {"analytics": True, "graphql": False},
    },
    {
        "code": "team",
        "name": "Team",
        "limits": {"mentions_per_month": 100000, "seats": 10, "rules": 50, "brands": 5, "retention_days": 180,
                   "api_requests_per_minute": 300},
        "features": {"analytics": True, "graphql": True},
    },
    {
        "code": "agency",
        "name": "Agency",
        "limits": {"mentions_per_month": 1000000, "seats": 50, "rules": 500, "brands": 50, "retention_days": 365,
                   "api_requests_per_minute": 1200},
        "features": {"analytics": True, "graphql": True},
    },
    {"code": "enterprise", "name": "Enterprise", "limits": {}, "features": {"analytics": True, "graphql": True}},
]


def create(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    Tenant = apps.get_model("tenants", "Tenant")
    BillingAccount = apps.get_model("billing", "BillingAccount")
    StatusChange = apps.get_model("billing", "StatusChange")
    for fields in DEFAULT_PLANS:
        Plan.objects.get_or_create(code=fields["code"], defaults=fields)
    trial = Plan.objects.get(code="trial")
    for tenant in Tenant.objects.exclude(schema_name="public").filter(billing__isnull=True):
        account = BillingAccount.objects.create(
            tenant=tenant, plan=trial, status="trialing", trial_end=timezone.now() + timedelta(days=14)
        )
        StatusChange.objects.create(
            account=account, from_status="", to_status="trialing", reason="billing introduced", actor_name="system"
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("tenants", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
