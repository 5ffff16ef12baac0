"""Mention filters shared by REST (django-filter backend) and GraphQL (called directly)."""

import django_filters

from config.filters import BigIntegerFilter, TextFilter, UtcDateTimeFilter
from monitoring.models import Emotion, Mention, Platform, Sentiment


class MentionFilter(django_filters.FilterSet):
    external_id = TextFilter()
    platform = django_filters.MultipleChoiceFilter(choices=Platform.choices)
    sentiment = django_filters.MultipleChoiceFilter(choices=Sentiment.choices)
    emotion = django_filters.MultipleChoiceFilter(choices=Emotion.choices)
    language = TextFilter()
    rule = BigIntegerFilter(field_name="matched_rules", lookup_expr="contains", method="_contains")
    brand = BigIntegerFilter(field_name="matched_brands", lookup_expr="contains", method="_contains")
    author = TextFilter(field_name="author__external_id")
    since = UtcDateTimeFilter(field_name="published_at", lookup_expr="gte")
    until = UtcDateTimeFilter(field_name="published_at", lookup_expr="lte")
    parent_external_id = TextFilter()
    topic = BigIntegerFilter(field_name="topic_id", help_text="Mentions of this topic (GET /topics)")

    class Meta:
        model = Mention
        fields: list[str] = []

    def _contains(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(**{f"{name}__contains": [value]})
