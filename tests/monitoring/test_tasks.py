"""Celery tasks carry their tenant: a task sent in tenant A's context works on A only, through the real broker."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import tenant_context

from config.celery import app as celery_app
from monitoring.search.index import alias_indices, tenant_index_delete
from monitoring.tasks import search_index_ensure
from tenants.models import Tenant


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield


def wait_for(condition: Any, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_index_task_runs_in_the_tenant_it_was_sent_from(celery_worker, django_db_setup):
    beta_before = alias_indices("beta")
    tenant_index_delete("alpha")
    assert alias_indices("alpha") == []

    with tenant_context(Tenant.objects.get(slug="alpha")):
        search_index_ensure.delay()

    assert wait_for(lambda: len(alias_indices("alpha")) == 1), "the worker never recreated alpha's index"
    assert alias_indices("beta") == beta_before


def test_beat_entry_fans_out_to_every_tenant(celery_worker, django_db_setup):
    from tenant_schemas_celery.scheduler import TenantAwareScheduler

    for slug in ("alpha", "beta"):
        tenant_index_delete(slug)
    scheduler = TenantAwareScheduler(app=celery_app, lazy=True)
    # The configured schedule, expanded the way beat expands it: one entry standing for all tenants.
    entries = scheduler._tenant_aware_beat_schedule_to_dict(celery_app.conf.beat_schedule)
    name = "search-index-ensure@__all_tenants_only__"
    entry = scheduler.Entry(name=name, app=celery_app, **entries[name])

    scheduler.apply_entry(entry, producer=None)

    assert wait_for(lambda: all(len(alias_indices(slug)) == 1 for slug in ("alpha", "beta")))
