from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.errors import ApplicationError
from tenants.services import tenant_delete


class Command(BaseCommand):
    help = "Delete a tenant with its schema and search indices. This cannot be undone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True)

    def handle(self, *args: object, **options: str) -> None:
        try:
            indices = tenant_delete(slug=options["slug"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Tenant '{options['slug']}' deleted ({len(indices)} search indices)."))
