"""Reads on a case's post-crisis watch: the warning policy watching its scope since its resolution, and the alerts
that policy opened (each a recurrence)."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from monitoring.models import Alert, WarningPolicy
from responses.cases.selectors import case_get
from responses.models import CrisisCase
from tenants.identity.principals import Principal


def watch_live(policy: WarningPolicy | None, now: datetime) -> bool:
    """A watch that has not ended: its policy is not archived and its expiry is still ahead."""
    return (
        policy is not None and policy.archived_at is None and policy.expires_at is not None and policy.expires_at > now
    )


def watch_of(case: CrisisCase, now: datetime) -> dict[str, Any]:
    policy = case.watch_policy
    if policy is None:
        return {"policy": None, "active": False, "started_at": None, "expires_at": None, "recurrences": []}
    alerts = Alert.objects.filter(policy=policy).order_by("opened_at", "id")
    return {
        "policy": policy.pk,
        # Live and switched on: the engine evaluates it.
        "active": watch_live(policy, now) and policy.is_active,
        # A watch starts at a resolution; a second one restarts it.
        "started_at": case.resolved_at,
        "expires_at": policy.expires_at,
        "recurrences": [
            {"alert": alert.pk, "level": alert.peak_level, "opened_at": alert.opened_at} for alert in alerts
        ],
    }


def case_watch(*, actor: Principal, case_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The case's watch: its policy (null before a resolution, or when the tenant's period is 0), whether it is
    watching now, when it started and ends, and each alert it opened (a recurrence), oldest first."""
    return watch_of(case_get(actor=actor, case_id=case_id), now or timezone.now())
