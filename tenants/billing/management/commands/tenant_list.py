import json

from django.core.management.base import BaseCommand, CommandParser

from tenants.billing.selectors import platform_tenant_list
from tenants.identity.principals import SYSTEM


class Command(BaseCommand):
    help = "List the tenants with their domain, plan and billing status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the list as JSON")

    def handle(self, *args: object, **options: object) -> None:
        rows = [
            {
                "slug": tenant.slug,
                "name": tenant.name,
                "schema": tenant.schema_name,
                "plan": tenant.billing.plan.code,
                "status": tenant.billing.status,
                "trial_end": tenant.billing.trial_end.isoformat() if tenant.billing.trial_end else None,
                "created_at": tenant.created_at.isoformat(),
            }
            for tenant in platform_tenant_list(actor=SYSTEM)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No tenants.")
        for row in rows:
            self.stdout.write(f"{row['slug']:<40} {row['plan']:<12} {row['status']:<10} {row['name']}")
