"""The permission check that lets a case role stand in for a tenant role (the commander of a case commands it
even when their tenant role is only responder)."""

from collections.abc import Iterable

from config.errors import PermissionDeniedError
from responses.models import CaseMember, CrisisCase
from tenants.identity.principals import SYSTEM, Principal
from tenants.identity.roles import role_has_permission


def roles_held(case: CrisisCase, actor: Principal) -> set[str]:
    """The case roles the caller holds on this case; API keys hold none (roles belong to people)."""
    if actor.user is None:
        return set()
    return set(CaseMember.objects.filter(case=case, user=actor.user).values_list("role", flat=True))


def check_case_permission(actor: Principal, case: CrisisCase, permission: str, *, or_roles: Iterable[str]) -> None:
    """Pass with the tenant permission, or with one of `or_roles` on this case; otherwise 403."""
    if actor is SYSTEM or role_has_permission(actor.role, permission):
        return
    wanted = set(or_roles)
    if wanted and roles_held(case, actor) & wanted:
        return
    roles = " or ".join(sorted(wanted))
    raise PermissionDeniedError(
        f"Role '{actor.role}' may not {permission}" + (f" unless holding {roles} on case {case.pk}." if roles else "."),
        code="permission_denied",
    )
