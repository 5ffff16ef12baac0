"""When a canceled tenant is purged; accounts already canceled get theirs from when they were canceled."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def schedule_purges(apps, schema_editor):
    BillingAccount = apps.get_model("billing", "BillingAccount")
    for account in BillingAccount.objects.filter(status="canceled", purge_at__isnull=True):
        account.purge_at = account.status_changed_at + timedelta(days=settings.BILLING_RETENTION_DAYS)
        account.save(update_fields=["purge_at"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_default_plans")]

    operations = [
        migrations.AddField(
            model_name="billingaccount",
            name="purge_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(schedule_purges, migrations.RunPython.noop),
    ]
