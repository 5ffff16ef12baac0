"""Hot topics (熱點話題): the tenant's mentions grouped by what they talk about, kept up to date by the topics
refresh (monitoring.topics.services), with the record of how each came to be (born, merged)."""

from django.db import models


class TopicStatus(models.TextChoices):
    LIVE = "live", "Live"
    MERGED = "merged", "Merged"


class Topic(models.Model):
    status = models.CharField(max_length=10, choices=TopicStatus.choices, default=TopicStatus.LIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed")
    label_terms = models.JSONField(default=list, help_text="The heaviest terms by class-based TF-IDF.")
    # The centroid's term counts (its heaviest terms only), which the refresh reloads to assign new mentions.
    centroid = models.JSONField(default=dict)
    size = models.IntegerField(default=0)
    authors = models.IntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    platforms = models.JSONField(default=dict)
    sentiment = models.JSONField(default=dict)
    emotions = models.JSONField(default=dict)
    emoticons = models.JSONField(default=dict, help_text="Emoticon codes ([哈哈]) counted as an emotion signal.")
    hourly = models.JSONField(default=dict, help_text="Mentions per hour over the topic's last 7 days of activity.")
    growth = models.FloatField(default=0.0)
    burst = models.FloatField(default=0.0)
    representatives = models.JSONField(default=list)
    cascades = models.JSONField(default=dict)
    emerging_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-size", "-id"], name="topic_size"),
            models.Index(fields=["status", "-last_seen"], name="topic_last_seen"),
        ]

    def __str__(self) -> str:
        return f"Topic {self.pk} ({', '.join(self.label_terms[:3])})"


class TopicEventKind(models.TextChoices):
    BORN = "born", "Born"
    ABSORBED = "absorbed", "Absorbed another topic"
    MERGED = "merged", "Merged into another topic"
    EMERGING = "emerging", "Burst crossed the emerging threshold"


class TopicEvent(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=TopicEventKind.choices)
    other = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    details = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["topic", "at"], name="topic_event_topic")]

    def __str__(self) -> str:
        return f"Topic {self.topic_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class TopicState(models.Model):
    """The tenant's one row: the last mention the refresh took in, and the stream's document frequencies (zlib'd
    JSON), which make the IDF. Locked for the length of a refresh, so two refreshes never interleave."""

    watermark = models.BigIntegerField(default=0)
    documents = models.BigIntegerField(default=0)
    vocabulary = models.BinaryField(default=b"")
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Topics up to mention {self.watermark}"


class TopicSettings(models.Model):
    """The tenant's one row: when a topic counts as emerging (topic.emerging)."""

    emerging_burst = models.FloatField(default=4.0)
    emerging_min_size = models.IntegerField(default=20)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Emerging at burst {self.emerging_burst:g}, {self.emerging_min_size} mentions"
