"""Writes on a case's post-crisis watch: the resolution starts it (a warning policy on the case's scope that expires
after the tenant's watch period), reopening or a person ends it, and a second resolution restarts the same policy, so
a case never has two live watches."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.errors import ConflictError
from config.lookups import locked_or_404
from config.timestamps import format_timestamp
from monitoring.models import WarningPolicy
from monitoring.models.warning import ScopeKind
from monitoring.warning.services import policy_create, policy_update
from responses.cases.timeline import timeline_add
from responses.models import CrisisCase
from responses.team.permissions import check_case_action
from responses.watch.selectors import watch_live, watch_of
from responses.watch.settings import watch_config
from tenants.identity.principals import SYSTEM, Principal

# A case opened by hand has no policy to copy: surge and negativity, the default policy's first two indicators.
WATCH_INDICATORS: list[dict[str, Any]] = [
    {"key": "volume", "type": "volume_anomaly", "window_minutes": 15, "weight": 0.5},
    {"key": "negative", "type": "negative_ratio", "window_minutes": 15, "weight": 0.5},
]
# What a watch takes from the policy whose alert opened the case.
COPIED = ("indicators", "weighting", "ahp_matrix", "thresholds", "realert_minutes", "resolve_below", "resolve_after")
NAME_LIMIT = 200
NAME_PREFIX = "Post-crisis watch: "


def watch_scope(case: CrisisCase) -> tuple[str, list[int]]:
    """The case's brands; else the brands, else the rules, of its alerts (the one it was opened from first); else
    the whole tenant."""
    brands = sorted(case.brands.values_list("pk", flat=True))
    if brands:
        return ScopeKind.BRAND, brands
    scopes = [case.opened_from_alert.scope] if case.opened_from_alert else []
    scopes += list(case.alerts.values_list("scope", flat=True))
    for kind in (ScopeKind.BRAND, ScopeKind.RULE):
        ids = sorted({int(s.partition(":")[2]) for s in scopes if s.startswith(f"{kind}:")})
        if ids:
            return kind, ids
    return ScopeKind.TENANT, []


def _name(case: CrisisCase) -> str:
    # The case id keeps the name unique among live policies when two cases share a title.
    suffix = f" (case #{case.pk})"
    return f"{NAME_PREFIX}{case.title[: NAME_LIMIT - len(NAME_PREFIX) - len(suffix)]}{suffix}"


def watch_start(case: CrisisCase, at: datetime) -> WarningPolicy | None:
    """On resolution, in its transaction: watch the case's scope until `at` plus the tenant's period (none when the
    period is 0, nor for a drill: its scope's talk was never a crisis)."""
    days = watch_config().watch_days
    if days == 0 or case.is_drill:
        return None
    expires = at + timedelta(days=days)
    kind, ids = watch_scope(case)
    current = case.watch_policy
    if current is not None and current.archived_at is None:
        policy = policy_update(
            actor=SYSTEM, policy_id=current.pk, scope_kind=kind, scope_ids=ids, expires_at=expires, is_active=True
        )
        case.watch_policy = policy
    else:
        template = case.opened_from_alert.policy if case.opened_from_alert else None
        copied = {name: getattr(template, name) for name in COPIED} if template else {"indicators": WATCH_INDICATORS}
        policy = policy_create(
            actor=SYSTEM,
            name=_name(case),
            description=f"Watches the scope of case #{case.pk} for a recurrence after its resolution.",
            scope_kind=kind,
            scope_ids=ids,
            expires_at=expires,
            **copied,
        )
        case.watch_policy = policy
        case.save(update_fields=["watch_policy", "updated_at"])
    timeline_add(
        case,
        "watch_started",
        SYSTEM,
        f"Post-crisis watch for {days} days, until {expires:%Y-%m-%d %H:%M} UTC (warning policy #{policy.pk})",
        policy_id=policy.pk,
        expires_at=format_timestamp(expires),
    )
    return policy


def watch_stop(case: CrisisCase, at: datetime, actor: Principal, reason: str) -> None:
    """End a live watch at `at` (nothing to do when none is live); its policy and alerts stay."""
    current = case.watch_policy
    if current is None or not watch_live(current, at):
        return
    policy = policy_update(actor=SYSTEM, policy_id=current.pk, expires_at=at)
    case.watch_policy = policy
    timeline_add(case, "watch_ended", actor, f"Post-crisis watch ended: {reason}", policy_id=policy.pk, reason=reason)


@transaction.atomic
def case_watch_end(*, actor: Principal, case_id: int) -> dict[str, Any]:
    """End the case's watch now (as those who steer the case may); refused when no watch is live."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_action(actor, case, "steer")
    now = timezone.now()
    if not watch_live(case.watch_policy, now):
        raise ConflictError(f"Case {case_id} has no live post-crisis watch.", field="id", code="no_live_watch")
    watch_stop(case, now, actor, "ended by hand")
    return watch_of(case, now)
