from rest_framework import serializers

SCOPE_HELP = "`tenant`, `brand:<id>`, `rule:<id>`, `topic:<id>` (trends and key nodes) or `case:<id>`."


class KeyNodesInput(serializers.Serializer):
    scope = serializers.CharField(max_length=40, help_text=SCOPE_HELP)
    since = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: 7 days ago.")
    until = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=200)


class AuthorKeyNodeOutput(serializers.Serializer):
    platform = serializers.CharField()
    author_external_id = serializers.CharField()
    posts = serializers.IntegerField(help_text="Their mentions in the scope's spread.")
    direct_reposts = serializers.IntegerField(help_text="Reposts, replies and comments of their posts.")
    subtree_size = serializers.IntegerField(help_text="Distinct mentions below their posts.")
    pagerank = serializers.FloatField(help_text="On the author graph (reposter → reposted author).")
    betweenness = serializers.FloatField(help_text="On the author graph, 0 to 1 (sampled on large graphs).")
    core = serializers.IntegerField(help_text="k-core number on the author graph.")
    followers = serializers.IntegerField()
    verified = serializers.BooleanField()
    top_mention_id = serializers.IntegerField(help_text="Their post with the most below it.")
    score = serializers.FloatField(help_text="Weighted sum of the normalised measures, 0 to 1 (README).")
    reason = serializers.CharField()


class KeyNodesOutput(serializers.Serializer):
    scope = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    nodes = serializers.IntegerField(help_text="Mentions read: the scope's, and everything that spread from them.")
    authors = serializers.IntegerField()
    edges = serializers.IntegerField(help_text="Edges of the author graph.")
    truncated = serializers.BooleanField(help_text="True when the spread was cut at VIGIL_CASCADE_MAX_NODES.")
    key_nodes = AuthorKeyNodeOutput(many=True)


class ForecastInput(serializers.Serializer):
    scope = serializers.CharField(max_length=40, help_text=SCOPE_HELP)
    interval = serializers.CharField(
        required=False, default="1h", max_length=10, help_text="A number and m, h or d: `15m`, `1h`, `1d`."
    )
    horizon = serializers.CharField(
        required=False,
        default="24h",
        max_length=10,
        help_text="How far ahead, in the same form; at most 200 intervals.",
    )
    since = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Start of the history (default 7 days back)."
    )
    until = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="End of the history (default now)."
    )


class VolumePoint(serializers.Serializer):
    at = serializers.DateTimeField()
    mentions = serializers.IntegerField()


class ForecastPoint(serializers.Serializer):
    at = serializers.DateTimeField()
    mean = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()


class ForecastOutput(serializers.Serializer):
    scope = serializers.CharField()
    interval = serializers.CharField()
    horizon = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text="End of the last complete interval: the forecast starts here.")
    history = VolumePoint(many=True)
    forecast = ForecastPoint(many=True)
    interval_level = serializers.FloatField()
    trend = serializers.ChoiceField(
        choices=[(t, t) for t in ("rising", "peaking", "declining", "calm")],
        help_text="Where the volume is heading, from the recent level, the forecast and the series' peak (README).",
    )


class ShareOfVoiceInput(serializers.Serializer):
    since = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: 7 days ago.")
    until = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")
    interval = serializers.CharField(
        required=False, default="1d", max_length=10, help_text="The series' interval: `1h`, `1d`…"
    )
    brands = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=50,
        help_text="Brand ids (repeat or comma-separate); default every brand with mentions in the window.",
    )


class Emotions(serializers.Serializer):
    angry = serializers.IntegerField()
    fear = serializers.IntegerField()
    happy = serializers.IntegerField()
    neutral = serializers.IntegerField()
    sad = serializers.IntegerField()
    surprise = serializers.IntegerField()


class BrandAlert(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField()
    peak_level = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class BrandCase(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    severity = serializers.CharField()
    is_drill = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class BrandVoice(serializers.Serializer):
    brand_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[("own", "own"), ("competitor", "competitor")])
    archived = serializers.BooleanField()
    mentions = serializers.IntegerField()
    share = serializers.FloatField(help_text="Of the listed brands' summed mentions.")
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()
    net_sentiment = serializers.FloatField(help_text="(positive − negative) / mentions.")
    emotions = Emotions()
    unique_authors = serializers.IntegerField()
    reach = serializers.IntegerField(help_text="Followers of the distinct authors.")
    series = VolumePoint(many=True)
    alerts = BrandAlert(many=True, help_text="Alerts on the brand's scope live at some time in the window.")
    cases = BrandCase(many=True, help_text="Crisis cases about the brand (for a competitor: their crisis).")


class ShareOfVoiceOutput(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    interval = serializers.CharField()
    total_mentions = serializers.IntegerField()
    brands = BrandVoice(many=True)


class TrendsInput(serializers.Serializer):
    scope = serializers.CharField(max_length=40, help_text=SCOPE_HELP)
    interval = serializers.CharField(
        required=False, default="1h", max_length=10, help_text="A number and m, h or d: `15m`, `1h`, `1d`."
    )
    since = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: 7 days ago.")
    until = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")


class SentimentCounts(serializers.Serializer):
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()


class TrendPoint(serializers.Serializer):
    at = serializers.DateTimeField()
    mentions = serializers.IntegerField()
    unique_authors = serializers.IntegerField()
    reach = serializers.IntegerField(help_text="Followers of the interval's distinct authors.")
    sentiment = SentimentCounts()
    polarity = serializers.FloatField(allow_null=True, help_text="(positive − negative) / mentions; null if none.")
    emotions = Emotions()


class ChangePoint(serializers.Serializer):
    metric = serializers.ChoiceField(choices=[("mentions", "mentions"), ("negative", "negative")])
    at = serializers.DateTimeField(help_text="The first interval at the new level.")
    before = serializers.FloatField(help_text="Mean per interval before.")
    after = serializers.FloatField(help_text="Mean per interval after (until the next change).")


class TrendsOutput(serializers.Serializer):
    scope = serializers.CharField()
    interval = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text="End of the last complete interval.")
    series = TrendPoint(many=True)
    change_points = ChangePoint(many=True)
    trend = serializers.ChoiceField(choices=[(t, t) for t in ("rising", "peaking", "declining", "calm")])
