"""Reads on the case team."""

from django.db.models import QuerySet

from config.errors import NotFoundError
from responses.models import CaseMember, CrisisCase
from tenants.identity.principals import Principal, check_permission


def case_members(*, actor: Principal, case_id: int) -> QuerySet[CaseMember]:
    check_permission(actor, "cases.read")
    if not CrisisCase.objects.filter(pk=case_id).exists():
        raise NotFoundError(f"No case {case_id}.", field="id")
    return CaseMember.objects.filter(case_id=case_id).select_related("user").order_by("role", "id")
