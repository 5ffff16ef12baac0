from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context
from tqdm import tqdm

from monitoring.search.reindex import reindex_tenant
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Rebuild tenants' search indices from PostgreSQL with zero downtime (new backing index, alias swap)."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--tenant", help="tenant slug")
        target.add_argument("--all", action="store_true", help="every tenant")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: object, **options: object) -> None:
        tenants = Tenant.objects.exclude(schema_name="public")
        if not options["all"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant '{options['tenant']}'.")
        for tenant in tenants:
            with tenant_context(tenant), tqdm(desc=f"reindex {tenant.slug}", unit="doc", file=self.stderr) as bar:

                def progress(done: int, total: int, bar: tqdm = bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                result = reindex_tenant(tenant.slug, batch=int(str(options["batch"])), progress=progress)
            self.stdout.write(
                f"{tenant.slug}: {result['documents']} documents into {result['index']} "
                f"({result['quarantined']} quarantined as dead letters); "
                f"alias {result['alias']} swapped from {', '.join(result['replaced']) or 'nothing'}"  # type: ignore[arg-type]
            )
