import json
import secrets

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from config.errors import ApplicationError
from tenants.identity.principals import SYSTEM
from tenants.identity.roles import Role
from tenants.identity.services import user_create


class Command(BaseCommand):
    help = "Create a billing admin: a user of the public schema who manages tenants and plans, never tenant data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="generated when omitted")
        parser.add_argument("--name", default="Billing admin")
        parser.add_argument("--json", action="store_true", help="print the login as JSON, password included")

    def handle(self, *args: object, **options: str) -> None:
        password = options.get("password") or secrets.token_urlsafe(12)
        try:
            with schema_context("public"):
                user = user_create(
                    actor=SYSTEM,
                    email=options["email"],
                    password=password,
                    role=Role.BILLING_ADMIN,
                    name=options["name"],
                )
        except ApplicationError as exc:
            raise CommandError(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc
        login = {"email": user.email, "password": password, "role": user.role, "login": "POST /api/v1/auth/token"}
        if options["json"]:
            self.stdout.write(json.dumps(login, indent=2))
            return
        self.stdout.write(self.style.SUCCESS(f"Billing admin '{user.email}' created."))
        self.stdout.write(f"  Password      {password}")
        self.stdout.write("  Log in on the public host: POST /api/v1/auth/token (no X-Tenant header)")
