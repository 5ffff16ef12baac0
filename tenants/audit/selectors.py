"""Reading the audit log: admins only, newest first."""

from datetime import datetime

from django.db.models import Q, QuerySet

from config.errors import ValidationError
from tenants.audit.models import AuditEntry
from tenants.identity.principals import Principal, check_permission


def _actor_q(actor: str) -> Q:
    """`user:5` or `api_key:3` by id; anything else is an email or key name, case-insensitively."""
    kind, _, number = actor.partition(":")
    if kind in ("user", "api_key") and number.isdigit():
        return Q(actor_type=kind, actor_id=int(number))
    return Q(actor_name__iexact=actor)


def _action_q(actions: list[str]) -> Q:
    """Exact codes, or a family written `auth.*`."""
    q = Q()
    for action in actions:
        q |= Q(action__startswith=action[:-1]) if action.endswith(".*") else Q(action=action)
    return q


def audit_list(
    *,
    actor: Principal,
    actions: list[str] | None = None,
    by: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    target_types: list[str] | None = None,
) -> QuerySet[AuditEntry]:
    """Entries newest first; `by` is who acted (see _actor_q), `since`/`until` bound `created_at` (inclusive)."""
    check_permission(actor, "audit.read")
    if since is not None and until is not None and since > until:
        raise ValidationError("`since` must not be after `until`.", field="since")
    entries = AuditEntry.objects.order_by("-id")
    if actions:
        entries = entries.filter(_action_q(actions))
    if by:
        entries = entries.filter(_actor_q(by))
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lte=until)
    if target_types:
        entries = entries.filter(target_type__in=target_types)
    return entries
