"""Hot topics: the list, one topic with its evolution and relatedness, its mentions, and the emerging threshold."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import monitoring_serializers as ms
from api.rest.base import ApiView, TenantViewSet
from monitoring.models import Topic, TopicStatus
from monitoring.selectors import mention_as_dict
from monitoring.topics import selectors, services
from monitoring.topics.selectors import ORDERINGS, TopicFilter
from responses.cases.topics import case_topic_list, topic_with_cases


class TopicCascades(serializers.Serializer):
    count = serializers.IntegerField(help_text="Cascades (a post with its reposts and replies) the topic spans")
    largest_root_mention_id = serializers.IntegerField(
        allow_null=True, help_text="Root of the largest: GET /mentions/{id}/cascade tells its structure"
    )
    largest_size = serializers.IntegerField()


class TopicSentiment(serializers.Serializer):
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()


class TopicHour(serializers.Serializer):
    hour = serializers.CharField()
    mentions = serializers.IntegerField()


class TopicOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TopicStatus.choices)
    merged_into = serializers.IntegerField(allow_null=True, help_text="The topic it merged into, when merged")
    label_terms = serializers.ListField(child=serializers.CharField(), help_text="Class-based TF-IDF, heaviest first")
    size = serializers.IntegerField(help_text="Mentions")
    authors = serializers.IntegerField(help_text="Unique authors")
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    platforms = serializers.DictField(child=serializers.IntegerField())
    sentiment = TopicSentiment()
    net_sentiment = serializers.FloatField(allow_null=True, help_text="(positive − negative) / rated")
    emotions = serializers.DictField(child=serializers.IntegerField())
    emoticons = serializers.DictField(child=serializers.IntegerField(), help_text="Emoticon codes, an emotion signal")
    growth = serializers.FloatField(help_text="Last 6 h of mentions against the 6 h before (1.0: twice as many)")
    burst = serializers.FloatField(help_text="This hour against the topic's EWMA, in deviations (0: not above)")
    emerging_at = serializers.DateTimeField(allow_null=True)
    cascades = TopicCascades()
    representative_mention_ids = serializers.ListField(child=serializers.IntegerField())
    hourly = TopicHour(many=True, help_text="Mentions per hour over the topic's last 7 days of activity")
    updated_at = serializers.DateTimeField()


class TopicEventOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="born, absorbed (another topic merged in), merged (into other), emerging")
    at = serializers.DateTimeField()
    other_topic = serializers.IntegerField(allow_null=True)
    details = serializers.DictField()


class TopicBrandOutput(serializers.Serializer):
    brand = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    mentions = serializers.IntegerField()
    share = serializers.FloatField(help_text="Share of the topic's mentions matching the brand")
    term_overlap = serializers.FloatField(help_text="Share of the brand's keywords among the topic's terms")


class TopicCaseOutput(serializers.Serializer):
    case = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    mentions = serializers.IntegerField()
    share = serializers.FloatField(help_text="Share of the topic's mentions in the case's scope")
    term_overlap = serializers.FloatField(help_text="Share of the case's topic words among the topic's terms")


class TopicDetailOutput(TopicOutput):
    evolution = TopicEventOutput(many=True)
    representatives = ms.MentionOutput(many=True)
    brands = TopicBrandOutput(many=True)
    cases = TopicCaseOutput(many=True, help_text="Open cases whose scope holds some of the topic's mentions")


class TopicSettingsSerializer(serializers.Serializer):
    emerging_burst = serializers.FloatField(
        required=False, min_value=0.001, max_value=1000, help_text="Burst score at which topic.emerging fires"
    )
    emerging_min_size = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Mentions a topic needs before it can emerge"
    )


CASE_PARAM = OpenApiParameter(
    "case", int, description="Only topics holding mentions of the case's brands or its evidence"
)


class TopicViewSet(TenantViewSet):
    model = Topic
    serializer_class = TopicOutput
    filterset_class = TopicFilter
    ordering_fields = ORDERINGS
    looks_up = ("list",)

    @extend_schema(
        parameters=[CASE_PARAM],
        responses=TopicOutput(many=True),
        summary="Hot topics, the largest first (ordering: size, growth, burst, last_seen; - for descending)",
    )
    def list(self, request: Request) -> Response:
        found = case_topic_list(actor=self.principal, filters=request.query_params)
        page = self.paginate_queryset(found)
        assert page is not None, "every list is paginated"
        return self.get_paginated_response(TopicOutput([selectors.topic_as_dict(t) for t in page], many=True).data)

    @extend_schema(responses=TopicDetailOutput, summary="One topic: evolution, representatives, brands and open cases")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TopicDetailOutput(topic_with_cases(actor=self.principal, topic_id=int(pk))).data)

    @extend_schema(filters=False, responses=ms.MentionOutput(many=True), summary="The topic's mentions, newest first")
    @action(detail=True, methods=["get"])
    def mentions(self, request: Request, pk: str) -> Response:
        page = self.paginate_queryset(selectors.topic_mentions(actor=self.principal, topic_id=int(pk)))
        assert page is not None, "every list is paginated"
        return self.get_paginated_response(ms.MentionOutput([mention_as_dict(m) for m in page], many=True).data)


def _settings(row: Any) -> dict[str, Any]:
    return {"emerging_burst": row.emerging_burst, "emerging_min_size": row.emerging_min_size}


class TopicSettingsView(ApiView):
    @extend_schema(
        operation_id="topic_settings_retrieve",
        responses=TopicSettingsSerializer,
        summary="When a topic counts as emerging (the topic.emerging webhook)",
    )
    def get(self, request: Request) -> Response:
        return Response(_settings(selectors.topic_settings_get(actor=request.user)))  # type: ignore[arg-type]

    @extend_schema(
        operation_id="topic_settings_update",
        request=TopicSettingsSerializer,
        responses=TopicSettingsSerializer,
        summary="Change when a topic counts as emerging (admins and analysts)",
    )
    def patch(self, request: Request) -> Response:
        data = TopicSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.topic_settings_update(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(_settings(row))
