import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.errors import ApplicationError
from tenants.services import tenant_create


class Command(BaseCommand):
    help = "Create a tenant: schema, domain, first admin user, API key and search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="lowercase letters, digits and hyphens; used in hosts")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", help="generated when omitted")
        parser.add_argument("--plan", help="a plan code; VIGIL_BILLING_DEFAULT_PLAN when omitted")
        parser.add_argument("--json", action="store_true", help="print what was created as JSON, API key included")

    def handle(self, *args: object, **options: str) -> None:
        try:
            created = tenant_create(
                slug=options["slug"],
                name=options["name"],
                admin_email=options["admin_email"],
                admin_password=options.get("admin_password"),
                plan=options.get("plan"),
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(created.as_dict(), indent=2))
            return
        self.stdout.write(self.style.SUCCESS(f"Tenant '{created.slug}' created (schema {created.schema})."))
        for label, value in [
            ("Domain", created.domain),
            ("Plan", created.plan),
            ("Admin", created.admin_email),
            ("Password", created.admin_password),
            ("API key", created.api_key),
            ("Search index", created.search_index or "pending (Elasticsearch unreachable)"),
        ]:
            self.stdout.write(f"  {label:<13} {value}")
