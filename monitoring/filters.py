"""Mention filters shared by REST (django-filter backend) and GraphQL (called directly)."""

import django_filters

from monitoring.models import Emotion, Mention, Platform, Sentiment


class MentionFilter(django_filters.FilterSet):
    external_id = django_filters.CharFilter()
    platform = django_filters.MultipleChoiceFilter(choices=Platform.choices)
    sentiment = django_filters.MultipleChoiceFilter(choices=Sentiment.choices)
    emotion = django_filters.MultipleChoiceFilter(choices=Emotion.choices)
    language = django_filters.CharFilter()
    rule = django_filters.NumberFilter(field_name="matched_rules", lookup_expr="contains", method="_contains")
    brand = django_filters.NumberFilter(field_name="matched_brands", lookup_expr="contains", method="_contains")
    author = django_filters.CharFilter(field_name="author__external_id")
    since = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte")
    parent_external_id = django_filters.CharFilter()

    class Meta:
        model = Mention
        fields: list[str] = []

    def _contains(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(**{f"{name}__contains": [int(value)]})
