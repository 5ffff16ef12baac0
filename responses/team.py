"""The case team: who holds which case role, and the permission check that lets a case role stand in for a
tenant role (the commander of a case commands it even when their tenant role is only responder)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from config.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from config.lookups import locked_or_404
from responses.models import CaseMember, CaseRole, CrisisCase
from responses.timeline import timeline_add
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM, Principal, check_permission
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


def check_role(role: str, *, field: str = "role") -> str:
    if role not in CaseRole.values:
        raise ValidationError(f"Unknown case role '{role}'; expected one of {', '.join(CaseRole.values)}.", field=field)
    return role


def case_members(*, actor: Principal, case_id: int) -> QuerySet[CaseMember]:
    check_permission(actor, "cases.read")
    if not CrisisCase.objects.filter(pk=case_id).exists():
        raise NotFoundError(f"No case {case_id}.", field="id")
    return CaseMember.objects.filter(case_id=case_id).select_related("user").order_by("role", "id")


@transaction.atomic
def case_member_add(*, actor: Principal, case_id: int, user_id: int, role: str) -> CaseMember:
    """Give a user a case role; the case commander (or a tenant role with cases.command) staffs the case."""
    case = locked_or_404(CrisisCase, case_id, "case")
    check_case_permission(actor, case, "cases.command", or_roles=[CaseRole.COMMANDER])
    check_role(role)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError(f"No active user {user_id}.", field="user_id")
    if CaseMember.objects.filter(case=case, user=user, role=role).exists():
        raise ConflictError(
            f"{user.email} already holds {role} on case {case.pk}.", field="role", code="already_member"
        )
    member = CaseMember.objects.create(case=case, user=user, role=role, assigned_by=actor.name)
    timeline_add(case, "member_added", actor, f"{user.email} is {role}", user_id=user.pk, role=role)
    return member


@transaction.atomic
def case_member_remove(*, actor: Principal, case_id: int, member_id: int) -> None:
    member = (
        CaseMember.objects.select_for_update()
        .select_related("case", "user")
        .filter(pk=member_id, case_id=case_id)
        .first()
    )
    if member is None:
        raise NotFoundError(f"No case member {member_id}.", field="id")
    check_case_permission(actor, member.case, "cases.command", or_roles=[CaseRole.COMMANDER])
    timeline_add(
        member.case,
        "member_removed",
        actor,
        f"{member.user.email} is no longer {member.role}",
        user_id=member.user_id,
        role=member.role,
    )
    member.delete()
