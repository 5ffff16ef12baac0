"""Follow-up filters shared by REST (query parameters) and GraphQL (arguments), applied by the selector."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from config.filters import BigIntegerFilter
from responses.models import FollowUp, FollowUpStatus, FollowUpType

OPEN_STATUSES = (FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS)


def overdue_q() -> Q:
    return Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())


class FollowUpFilter(django_filters.FilterSet):
    case = BigIntegerFilter(field_name="case_id")
    type = django_filters.MultipleChoiceFilter(choices=FollowUpType.choices)
    status = django_filters.MultipleChoiceFilter(choices=FollowUpStatus.choices)
    owner = BigIntegerFilter(field_name="owner_id")
    overdue = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="_overdue")

    class Meta:
        model = FollowUp
        fields: list[str] = []

    def _overdue(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        if not value:
            return queryset
        return queryset.filter(overdue_q()) if value == "true" else queryset.exclude(overdue_q())
