"""Mentions of one tenant: who posted (Author), what (Mention), what the tenant watches for (rules, brands)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from config.archive import Archivable, live_name_unique


class Platform(models.TextChoices):
    WEIBO = "weibo", "Weibo"
    WECHAT = "wechat", "WeChat"
    DOUYIN = "douyin", "Douyin"
    XIAOHONGSHU = "xiaohongshu", "Xiaohongshu"
    BILIBILI = "bilibili", "Bilibili"
    ZHIHU = "zhihu", "Zhihu"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    REDDIT = "reddit", "Reddit"
    NEWS = "news", "News"
    FORUM = "forum", "Forum"
    OTHER = "other", "Other"


class Relation(models.TextChoices):
    REPOST = "repost", "Repost"
    REPLY = "reply", "Reply"
    QUOTE = "quote", "Quote"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class Emotion(models.TextChoices):
    ANGRY = "angry", "Angry"
    FEAR = "fear", "Fear"
    HAPPY = "happy", "Happy"
    NEUTRAL = "neutral", "Neutral"
    SAD = "sad", "Sad"
    SURPRISE = "surprise", "Surprise"


class Author(models.Model):
    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    followers = models.BigIntegerField(default=0)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "external_id"], name="author_platform_external_id")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.name or self.external_id}"


class Mention(models.Model):
    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    url = models.CharField(max_length=2000, blank=True)
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text="The original text after Unicode NFC.")
    published_at = models.DateTimeField()
    likes = models.BigIntegerField(default=0)
    reposts = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    parent_external_id = models.CharField(max_length=128, blank=True)
    relation = models.CharField(max_length=10, choices=Relation.choices, blank=True)
    # The cascade's original post when the platform names it: a repost whose parent was never stored still
    # belongs to that cascade, as an orphan under the root.
    root_external_id = models.CharField(max_length=128, blank=True)
    raw = models.JSONField(default=dict)

    # Analysis, derived at ingest from the text.
    analysis_text = models.TextField(blank=True, help_text="Simplified form the analysis ran on.")
    tokens = models.TextField(blank=True, help_text="Space-joined segmentation, as indexed.")
    language = models.CharField(max_length=8, blank=True)
    script = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True)
    emotion = models.CharField(max_length=10, choices=Emotion.choices, blank=True)
    emotion_score = models.FloatField(null=True)
    matched_rules = ArrayField(models.BigIntegerField(), default=list, blank=True)
    matched_brands = ArrayField(models.BigIntegerField(), default=list, blank=True)
    topic = models.ForeignKey(
        "monitoring.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions", db_index=False
    )

    # Hash of what a re-send can change; a re-send with the same hash is "unchanged" and writes nothing.
    content_hash = models.CharField(max_length=32)
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "external_id"], name="mention_platform_external_id")]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="mention_published"),
            models.Index(fields=["updated_at"], name="mention_updated"),
            models.Index(fields=["topic", "-published_at", "-id"], name="mention_topic"),
            models.Index(fields=["platform", "parent_external_id"], name="mention_parent"),
            models.Index(
                fields=["platform", "root_external_id"], name="mention_root", condition=~models.Q(root_external_id="")
            ),
            GinIndex(fields=["matched_rules"], name="mention_rules"),
            GinIndex(fields=["matched_brands"], name="mention_brands"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.comments


class MonitoringRule(Archivable):
    name = models.CharField(max_length=200)
    expression = models.TextField()
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [live_name_unique("rule")]

    def __str__(self) -> str:
        return self.name


class BrandKind(models.TextChoices):
    OWN = "own", "Own brand"
    COMPETITOR = "competitor", "Competitor"


class Brand(Archivable):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=BrandKind.choices, default=BrandKind.OWN)
    expression = models.TextField(help_text="Monitoring-rule expression that decides which mentions are about it.")
    keywords = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        help_text="Brand and product names kept whole by segmentation (the user dictionary).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [live_name_unique("brand")]

    def __str__(self) -> str:
        return self.name


class SearchOutbox(models.Model):
    """Mentions whose search document is stale. Written in the ingest transaction; drained in bulk by Celery."""

    mention_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"outbox:{self.mention_id}"
