"""The tenant's post-crisis watch period: how many days after its resolution a case's scope is watched for a
recurrence (0: no watch). Without a setting the default here applies."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from config.errors import ValidationError
from responses.models import WatchSettings
from tenants.identity.principals import Principal, check_permission

DEFAULT_WATCH_DAYS = 14
MAX_WATCH_DAYS = 365


@dataclass(frozen=True)
class WatchConfig:
    watch_days: int
    is_default: bool


def watch_config() -> WatchConfig:
    """The period in force (for services; the API reads it through watch_settings_get)."""
    row = WatchSettings.objects.first()
    if row is None:
        return WatchConfig(DEFAULT_WATCH_DAYS, True)
    return WatchConfig(row.watch_days, False)


def watch_settings_get(*, actor: Principal) -> WatchConfig:
    check_permission(actor, "cases.read")
    return watch_config()


@transaction.atomic
def watch_settings_update(*, actor: Principal, watch_days: Any) -> WatchConfig:
    """Set the period; it applies to cases resolved from now on (running watches keep their end)."""
    check_permission(actor, "sla.manage")
    if isinstance(watch_days, bool) or not isinstance(watch_days, int) or not 0 <= watch_days <= MAX_WATCH_DAYS:
        raise ValidationError(
            f"watch_days is a whole number of days from 0 (no watch) to {MAX_WATCH_DAYS}.", field="watch_days"
        )
    row = WatchSettings.objects.select_for_update().first() or WatchSettings()
    row.watch_days, row.updated_by = watch_days, actor.name
    row.save()
    return watch_config()
