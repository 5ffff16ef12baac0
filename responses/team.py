"""The case team: who holds which case role, and the one check of what a caller may do on a case, where a case
role stands in for a tenant permission (the commander of a case commands it even when their tenant role is viewer)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from api.models import User
from api.principals import SYSTEM, Principal, check_permission
from api.roles import role_has_permission
from config.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from config.lookups import locked_or_404
from responses.models import CaseMember, CaseRole, CrisisCase
from responses.timeline import timeline_add

ANY_MEMBER = frozenset(CaseRole.values)
COMMANDER = frozenset({CaseRole.COMMANDER})

# The actions on one case: the tenant permission that allows each on every case, and the case roles that allow it
# on their own case whatever the holder's tenant role (a viewer who commands a case steers it). Reading needs only
# cases.read, which every tenant role has. Statement approvals go by the role that is due (responses.statements).
CASE_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "assess": ("cases.work", ANY_MEMBER),
    "note": ("cases.work", ANY_MEMBER),
    "link": ("cases.work", ANY_MEMBER),
    "update": ("cases.work", COMMANDER),
    "add_task": ("cases.work", COMMANDER),
    # Besides these, whoever a task is assigned to (by person or by a case role they hold) works it.
    "work_task": ("cases.work", COMMANDER),
    "write_statement": ("cases.work", frozenset({CaseRole.COMMUNICATIONS, CaseRole.COMMANDER})),
    "steer": ("cases.command", COMMANDER),
    "staff": ("cases.command", COMMANDER),
    "activate_playbook": ("cases.command", COMMANDER),
}


def roles_held(case: CrisisCase, actor: Principal) -> set[str]:
    """The case roles the caller holds on this case; API keys hold none (roles belong to people)."""
    if actor.user is None:
        return set()
    return set(CaseMember.objects.filter(case=case, user=actor.user).values_list("role", flat=True))


def check_case_action(actor: Principal, case: CrisisCase, action: str, *, also_roles: Iterable[str] = ()) -> None:
    """Pass with the action's tenant permission, or holding one of its case roles (or `also_roles`) on this case."""
    permission, roles = CASE_ACTIONS[action]
    if actor is SYSTEM or role_has_permission(actor.role, permission):
        return
    wanted = roles | set(also_roles)
    if roles_held(case, actor) & wanted:
        return
    raise PermissionDeniedError(
        f"Role '{actor.role}' may not {permission} unless holding {' or '.join(sorted(wanted))} on case {case.pk}.",
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
    check_case_action(actor, case, "staff")
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
    check_case_action(actor, member.case, "staff")
    timeline_add(
        member.case,
        "member_removed",
        actor,
        f"{member.user.email} is no longer {member.role}",
        user_id=member.user_id,
        role=member.role,
    )
    member.delete()
