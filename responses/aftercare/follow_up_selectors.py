"""Reads of follow-ups: the list across cases (by case, type, status, owner, overdue), one follow-up, the replies'
texts (personal data: for who may read the person's contacts), and a case's follow-up board."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from config.errors import NotFoundError, ValidationError
from config.pii import pii_decrypt
from responses.aftercare.filters import FollowUpFilter, overdue_q
from responses.aftercare.selectors import cases_with_contact_roles, may_read_contacts_everywhere
from responses.cases.selectors import case_get
from responses.models import (
    CompensationApproval,
    FollowUp,
    FollowUpReply,
    FollowUpStatus,
    FollowUpType,
)
from tenants.identity.principals import Principal, check_permission

FOLLOW_UP_RELATIONS = ("notes", "replies")


def follow_up_list(*, actor: Principal, filters: Mapping[str, Any]) -> QuerySet[FollowUp]:
    """Follow-ups that pass the filters (`case`, `type`, `status`, `owner`, `overdue`), soonest due first."""
    check_permission(actor, "cases.read")
    filterset = FollowUpFilter(filters, queryset=FollowUp.objects.all())
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise ValidationError(str(messages[0]), field=field)
    found: QuerySet[FollowUp] = filterset.qs.prefetch_related(*FOLLOW_UP_RELATIONS).order_by("due_at", "id")
    return found


def follow_up_get(*, actor: Principal, follow_up_id: int) -> FollowUp:
    check_permission(actor, "cases.read")
    follow_up = FollowUp.objects.prefetch_related(*FOLLOW_UP_RELATIONS).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise NotFoundError(f"No follow-up {follow_up_id}.", field="id")
    return follow_up


@dataclass
class ReplyTexts:
    """Whether the caller sees replies' texts (they hold the person's name), decided for every case at once: by the
    tenant permission, else by the case roles the caller holds (one query however many cases a page spans)."""

    actor: Principal
    everywhere: bool | None = None
    cases: set[int] | None = None

    def may(self, case_id: int) -> bool:
        if self.everywhere is None:
            self.everywhere = may_read_contacts_everywhere(self.actor)
        if self.everywhere:
            return True
        if self.cases is None:
            self.cases = cases_with_contact_roles(self.actor)
        return case_id in self.cases

    def text(self, reply: FollowUpReply, case_id: int) -> str | None:
        return pii_decrypt(reply.text_token) if self.may(case_id) else None


def reply_texts(*, actor: Principal) -> ReplyTexts:
    return ReplyTexts(actor=actor)


def _minutes(value: Any) -> float | None:
    return round(value.total_seconds() / 60, 1) if value is not None else None


def follow_up_board(*, actor: Principal, case_id: int) -> dict[str, Any]:
    """A case's follow-ups at a glance: counts by type and status, the overdue ones, mean minutes from opening to the
    first contact and to resolution, compensation and satisfaction."""
    case = case_get(actor=actor, case_id=case_id)
    follow_ups = FollowUp.objects.filter(case=case)
    counts = {kind: dict.fromkeys(FollowUpStatus.values, 0) for kind in FollowUpType.values}
    for row in follow_ups.values("type", "status").annotate(n=Count("id")):
        counts[row["type"]][row["status"]] = row["n"]
    by_status = {status: sum(c[status] for c in counts.values()) for status in FollowUpStatus.values}
    overdue = list(follow_ups.filter(overdue_q()).order_by("due_at", "id").values_list("id", flat=True))
    to_contact = ExpressionWrapper(F("first_contact_at") - F("created_at"), output_field=DurationField())
    to_resolve = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    means = follow_ups.aggregate(
        contact=Avg(to_contact, filter=Q(first_contact_at__isnull=False)),
        resolve=Avg(to_resolve, filter=Q(resolved_at__isnull=False)),
        csat_avg=Avg("csat"),
        csat_n=Count("csat"),
        nps_n=Count("nps"),
        promoters=Count("id", filter=Q(nps__gte=9)),
        detractors=Count("id", filter=Q(nps__lte=6)),
    )
    compensation = [
        {
            "currency": row["compensation_currency"],
            "approval": row["compensation_approval"],
            "count": row["n"],
            "amount": str(row["amount"]),
        }
        for row in follow_ups.filter(compensation_amount__isnull=False)
        .values("compensation_currency", "compensation_approval")
        .annotate(n=Count("id"), amount=Sum("compensation_amount"))
        .order_by("compensation_currency", "compensation_approval")
    ]
    nps_n = means["nps_n"]
    return {
        "case_id": case.pk,
        "total": sum(by_status.values()),
        "by_type": counts,
        "by_status": by_status,
        "overdue": len(overdue),
        "overdue_ids": overdue[:100],
        "mean_minutes_to_first_contact": _minutes(means["contact"]),
        "mean_minutes_to_resolution": _minutes(means["resolve"]),
        "compensation": compensation,
        "compensation_pending": follow_ups.filter(compensation_approval=CompensationApproval.PENDING).count(),
        "csat_mean": round(means["csat_avg"], 2) if means["csat_avg"] is not None else None,
        "csat_responses": means["csat_n"],
        "nps": round(100 * (means["promoters"] - means["detractors"]) / nps_n, 1) if nps_n else None,
        "nps_responses": nps_n,
    }
