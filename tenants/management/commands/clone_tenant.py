from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    # Shadows django-tenants' own clone_tenant (the tenants app comes before django_tenants in INSTALLED_APPS), which
    # would skip Vigil's search indices, billing account and hooks.
    help = "Refused: use manage.py tenant_create, which keeps the search index, billing and hooks in step."

    def handle(self, *args: object, **options: object) -> None:
        raise CommandError("clone_tenant is django-tenants' own and is refused here; use manage.py tenant_create.")
