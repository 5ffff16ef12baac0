"""Reads of commitments: a case's, by status, soonest due first, and one by id."""

from collections.abc import Sequence

from django.db.models import QuerySet

from config.errors import NotFoundError, ValidationError
from responses.cases.selectors import case_get
from responses.models import Commitment, CommitmentStatus
from tenants.identity.principals import Principal, check_permission

RELATIONS = ("owner", "task", "statement", "follow_up_statement")


def case_commitments(*, actor: Principal, case_id: int, status: Sequence[str] = ()) -> QuerySet[Commitment]:
    """The case's commitments (all, or those in the given statuses), soonest due first."""
    case = case_get(actor=actor, case_id=case_id)
    unknown = [s for s in status if s not in CommitmentStatus.values]
    if unknown:
        raise ValidationError(
            f"Unknown status '{unknown[0][:40]}'; expected one of {', '.join(CommitmentStatus.values)}.",
            field="status",
        )
    found = Commitment.objects.filter(case=case).select_related(*RELATIONS)
    if status:
        found = found.filter(status__in=list(status))
    return found.order_by("due_at", "id")


def commitment_get(*, actor: Principal, commitment_id: int) -> Commitment:
    check_permission(actor, "cases.read")
    commitment = Commitment.objects.select_related(*RELATIONS).filter(pk=commitment_id).first()
    if commitment is None:
        raise NotFoundError(f"No commitment {commitment_id}.", field="id")
    return commitment
