"""Writes on the case team: who holds which case role. Every change is on the case's timeline."""

from django.db import transaction

from config.errors import ConflictError, NotFoundError, ValidationError
from config.lookups import locked_or_404
from responses.cases.timeline import timeline_add
from responses.models import CaseMember, CaseRole, CrisisCase
from responses.team.permissions import check_case_action
from tenants.identity.models import User
from tenants.identity.principals import Principal


def check_role(role: str, *, field: str = "role") -> str:
    if role not in CaseRole.values:
        raise ValidationError(f"Unknown case role '{role}'; expected one of {', '.join(CaseRole.values)}.", field=field)
    return role


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
