"""Shared plumbing of the import commands: tenant selection, a progress bar, a summary."""

from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context
from tqdm import tqdm

from monitoring.ingest.bulk import ingest_stream
from monitoring.ingest.service import IngestResult
from tenants.models import Tenant


class IngestCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--batch", type=int, default=1000, help="mentions per ingest batch (default 1000)")

    def tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant '{slug}'.")
        return tenant

    def run(self, options: dict[str, Any], items: Iterable[Any], total: int | None, label: str) -> IngestResult:
        with (
            tenant_context(self.tenant(options["tenant"])),
            tqdm(
                total=total, desc=label, unit="mention", file=self.stderr, disable=options.get("verbosity", 1) == 0
            ) as bar,
        ):

            def progress(result: IngestResult, size: int) -> None:
                bar.update(size)
                bar.set_postfix(new=result.accepted, upd=result.updated, err=len(result.errors), refresh=False)

            result = ingest_stream(items, batch=options["batch"], progress=progress)
        self.stdout.write(
            f"{label}: {result.accepted} new, {result.updated} updated, {result.unchanged} unchanged, "
            f"{len(result.errors)} rejected"
        )
        for error in result.errors[:10]:
            self.stdout.write(f"  item {error.index}: {error.field + ': ' if error.field else ''}{error.message}")
        if len(result.errors) > 10:
            self.stdout.write(f"  … and {len(result.errors) - 10} more")
        return result
