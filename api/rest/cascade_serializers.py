from rest_framework import serializers


class GrowthPoint(serializers.Serializer):
    at = serializers.DateTimeField()
    size = serializers.IntegerField()


class TimeToShare(serializers.Serializer):
    p10 = serializers.FloatField(allow_null=True, help_text="Seconds from the first post to 10% of the size.")
    p50 = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)


class KeyNodeOutput(serializers.Serializer):
    mention_id = serializers.IntegerField()
    author_external_id = serializers.CharField()
    followers = serializers.IntegerField()
    verified = serializers.BooleanField()
    depth = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    direct_reposts = serializers.IntegerField(help_text="Children in the tree (out-degree).")
    subtree_size = serializers.IntegerField(help_text="Nodes below it: how much of the spread passed through it.")
    pagerank = serializers.FloatField(help_text="Its author's PageRank on the cascade's author graph.")
    betweenness = serializers.IntegerField(help_text="Pairs of other nodes whose path runs through it (exact).")
    score = serializers.FloatField(help_text="Weighted sum of the normalised measures, 0 to 1 (README).")
    reason = serializers.CharField()


class OriginOutput(serializers.Serializer):
    mention_id = serializers.IntegerField()
    author_external_id = serializers.CharField()
    published_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=[("earliest", "earliest"), ("branch", "branch")])
    subtree_size = serializers.IntegerField()


class CascadeOutput(serializers.Serializer):
    mention_id = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Nodes: the mention and every repost, comment and reply below it.")
    unique_authors = serializers.IntegerField()
    depth = serializers.IntegerField()
    max_breadth = serializers.IntegerField()
    breadth_by_depth = serializers.ListField(child=serializers.IntegerField())
    structural_virality = serializers.FloatField(help_text="Mean distance between all pairs (Goel et al. 2016).")
    reach = serializers.IntegerField(help_text="Sum of followers of distinct participants.")
    growth = GrowthPoint(many=True)
    time_to_share = TimeToShare()
    platforms = serializers.ListField(child=serializers.CharField())
    key_nodes = KeyNodeOutput(many=True)
    origins = OriginOutput(many=True)
    orphans = serializers.IntegerField(
        help_text="Nodes whose parent is not stored: they name this mention as their root and hang off it."
    )
    truncated = serializers.BooleanField(help_text="True when the cascade was cut at VIGIL_CASCADE_MAX_NODES.")


class CascadeNodeOutput(serializers.Serializer):
    mention_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="The node it hangs off; null for the root.")
    depth = serializers.IntegerField()
    author_external_id = serializers.CharField()
    followers = serializers.IntegerField()
    verified = serializers.BooleanField()
    published_at = serializers.DateTimeField()
    platform = serializers.CharField()
    sentiment = serializers.CharField(allow_null=True)
    orphan = serializers.BooleanField(help_text="Its parent is not stored; it hangs off the root it names.")
    direct_reposts = serializers.IntegerField()
    subtree_size = serializers.IntegerField()


class GraphExportOutput(serializers.Serializer):
    """`?export=json`: the graph as nodes and edges, each node with its attributes."""

    graph = serializers.ChoiceField(choices=[("cascade", "cascade"), ("authors", "authors")])
    nodes = serializers.ListField(child=serializers.DictField())
    edges = serializers.ListField(child=serializers.DictField(), help_text="`source`, `target` (and `weight`).")


class CascadeForecastInput(serializers.Serializer):
    observed_until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Forecast from what was published up to this time (default now); not before the mention.",
    )


class CascadeForecastOutput(serializers.Serializer):
    mention_id = serializers.IntegerField()
    observed_until = serializers.DateTimeField()
    observed_size = serializers.IntegerField(help_text="Nodes published up to observed_until, the mention included.")
    predicted_final_size = serializers.IntegerField()
    interval_low = serializers.IntegerField()
    interval_high = serializers.IntegerField()
    interval_level = serializers.FloatField(help_text="How often the final size should fall in the interval.")
    method = serializers.ChoiceField(
        choices=[("loglinear", "loglinear"), ("seismic", "seismic"), ("observed", "observed")],
        help_text="Which model answered: `loglinear` (fitted on the tenant's finished cascades), `seismic` (a "
        "self-exciting process, no history needed), or `observed` (nothing to predict from).",
    )
    history_cascades = serializers.IntegerField(help_text="Finished cascades the log-linear model was fitted on.")
    current_size = serializers.IntegerField(
        help_text="The cascade's size now; the forecast does not see it, so a past observed_until checks it."
    )
