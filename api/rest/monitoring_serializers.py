from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from config.jsonsafe import INT_MAX
from monitoring.models import Brand, BrandKind, Emotion, MonitoringRule, Platform, Relation, Sentiment


class LabelScore(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    score = serializers.FloatField(allow_null=True)


class AuthorOutput(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()
    followers = serializers.IntegerField()
    verified = serializers.BooleanField()


class MetricsOutput(serializers.Serializer):
    likes = serializers.IntegerField()
    reposts = serializers.IntegerField()
    comments = serializers.IntegerField()
    views = serializers.IntegerField()


class MentionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=Platform.choices)
    external_id = serializers.CharField()
    url = serializers.CharField()
    author = AuthorOutput(allow_null=True)
    title = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()
    script = serializers.CharField()
    published_at = serializers.DateTimeField()
    metrics = MetricsOutput()
    engagement = serializers.IntegerField()
    relation = serializers.ChoiceField(choices=Relation.choices, allow_null=True)
    parent_external_id = serializers.CharField(allow_null=True)
    root_external_id = serializers.CharField(
        allow_null=True, help_text="The cascade's original post, when the platform names it."
    )
    sentiment = LabelScore(allow_null=True)
    emotion = LabelScore(allow_null=True)
    matched_rules = serializers.ListField(child=serializers.IntegerField())
    matched_brands = serializers.ListField(child=serializers.IntegerField())
    topic = serializers.IntegerField(
        allow_null=True,
        help_text="The mention's hot topic (GET /topics/{id}); null until the topics refresh took it in.",
    )
    ingested_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# The list action answers one page object, not an array of them.
@extend_schema_serializer(many=False)
class MentionInputDoc(serializers.Serializer):
    """Documentation of one item of a batch; validation happens per item in the ingest service."""

    platform = serializers.ChoiceField(choices=Platform.choices)
    external_id = serializers.CharField(max_length=128)
    text = serializers.CharField(max_length=20000, help_text="May be empty only for a plain repost.")
    published_at = serializers.DateTimeField(help_text="ISO 8601; without offset it is UTC; not in the future.")
    title = serializers.CharField(required=False, max_length=500)
    url = serializers.URLField(required=False, max_length=2000)
    author = AuthorOutput(required=False)
    metrics = MetricsOutput(required=False)
    parent_external_id = serializers.CharField(required=False, max_length=128)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    root_external_id = serializers.CharField(
        required=False,
        max_length=128,
        help_text="The external id of the cascade's original post: a repost whose parent is never stored still "
        "joins that cascade (as an orphan under the root).",
    )


class MentionBatchInput(serializers.Serializer):
    mentions = MentionInputDoc(many=True)


class ItemErrorOutput(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class IngestOutput(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="New mentions stored.")
    updated = serializers.IntegerField(help_text="Known mentions whose text, metrics or author changed.")
    unchanged = serializers.IntegerField(help_text="Re-sent mentions identical to what is stored.")
    rejected = serializers.IntegerField()
    errors = ItemErrorOutput(many=True)  # type: ignore[assignment]


class SearchInput(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=500,
        help_text='Words in Simplified or Traditional Chinese or any language; "quoted phrase".',
    )
    platform = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), required=False)
    sentiment = serializers.ListField(child=serializers.ChoiceField(choices=Sentiment.choices), required=False)
    emotion = serializers.ListField(child=serializers.ChoiceField(choices=Emotion.choices), required=False)
    language = serializers.ListField(child=serializers.CharField(max_length=8), required=False)
    rule = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=INT_MAX), required=False)
    brand = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=INT_MAX), required=False)
    author = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    since = serializers.DateTimeField(required=False, allow_null=True, default=None)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    min_engagement = serializers.IntegerField(
        required=False, min_value=0, max_value=INT_MAX, allow_null=True, default=None
    )
    sort = serializers.ChoiceField(
        choices=["relevance", "time", "engagement"], required=False, help_text="Default: relevance with q, else time."
    )
    page_size = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)
    cursor = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    aggs = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Comma-separated: volume, sentiment, emotion, authors, platforms, terms.",
    )
    interval = serializers.CharField(required=False, default="1h", help_text="Bucket width: 15m, 1h, 1d…")


class SearchOutput(serializers.Serializer):
    count = serializers.IntegerField()
    count_is_exact = serializers.BooleanField()
    results = serializers.ListField(child=serializers.DictField())
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)
    aggregations = serializers.DictField()


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringRule
        fields = [
            "id",
            "name",
            "expression",
            "description",
            "is_active",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "archived_at", "archived_by"]
        # Uniqueness and expression syntax are checked by the service, with the same errors as GraphQL.
        extra_kwargs: dict[str, dict[str, object]] = {"name": {"validators": []}}
        validators: list[object] = []  # no DRF check of the live-name constraint either


class BrandSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=BrandKind.choices, default=BrandKind.OWN)

    class Meta:
        model = Brand
        fields = [
            "id",
            "name",
            "kind",
            "expression",
            "keywords",
            "is_active",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "archived_at", "archived_by"]
        extra_kwargs: dict[str, dict[str, object]] = {"name": {"validators": []}}
        validators: list[object] = []  # no DRF check of the live-name constraint either
