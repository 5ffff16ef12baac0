import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tenants.models import Tenant
from tenants.services import tenant_create, tenant_delete


class Command(BaseCommand):
    help = "Create the demo tenant afresh (dropping a previous one) and write its credentials to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--admin-email", default="admin@demo.vigil.example")
        parser.add_argument("--credentials", default=str(settings.BASE_DIR / ".demo" / "credentials.json"))

    def handle(self, *args: object, **options: str) -> None:
        slug = options["slug"]
        if Tenant.objects.filter(slug=slug).exists():
            self.stdout.write(f"Dropping the previous '{slug}' tenant")
            tenant_delete(slug=slug)
        created = tenant_create(slug=slug, name="Demo Agency", admin_email=options["admin_email"])
        path = Path(options["credentials"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "tenant": created.slug,
                    "host": created.domain,
                    "admin_email": created.admin_email,
                    "admin_password": created.admin_password,
                    "api_key": created.api_key,
                },
                indent=2,
            )
        )
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo tenant '{slug}' ready; credentials in {path}"))
