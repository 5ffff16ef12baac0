"""Beat's scheduler: tenant-schemas-celery's, which sends an entry without `tenant_schemas` once per tenant, and
also sends entries whose `tenant_schemas` names the public schema (no Tenant row stands for it, so the library's
own scheduler would send them nowhere). Platform-wide sweeps, such as billing's lifecycle, are such entries."""

import logging
from typing import Any

from celery.beat import ScheduleEntry
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

logger = logging.getLogger(__name__)


class Scheduler(TenantAwarePersistentScheduler):
    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        if entry.options.get("headers", {}).get("_schema_name") != get_public_schema_name():
            super().apply_entry(entry, producer=producer)
            return
        with schema_context(get_public_schema_name()):
            try:
                self.apply_async(entry, producer=producer, advance=False)
            except Exception:
                # As the library does for a tenant's copy: beat goes on, and sends the entry when it is next due.
                logger.exception("could not send %s to the public schema", entry.name)
