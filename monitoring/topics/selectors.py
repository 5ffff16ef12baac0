"""Reads of hot topics: the list with its filters, one topic with its evolution, representatives and relatedness
to the tenant's brands, and its mentions. The same in REST and GraphQL."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import django_filters
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from config.errors import NotFoundError, ValidationError
from config.filters import BigIntegerFilter, UtcDateTimeFilter
from monitoring.models import Brand, Mention, Topic, TopicEvent, TopicSettings, TopicStatus
from monitoring.selectors import errors_to_validation, mention_as_dict
from monitoring.topics import stats
from monitoring.topics.terms import topic_terms
from tenants.identity.principals import Principal, check_permission

ORDERINGS = ("size", "growth", "burst", "last_seen")


class TopicFilter(django_filters.FilterSet):
    since = UtcDateTimeFilter(field_name="last_seen", lookup_expr="gte", help_text="Active at or after (last_seen)")
    until = UtcDateTimeFilter(field_name="first_seen", lookup_expr="lte", help_text="Begun at or before (first_seen)")
    min_size = BigIntegerFilter(field_name="size", lookup_expr="gte", min_value=0, max_value=2**31 - 1)
    status = django_filters.ChoiceFilter(choices=TopicStatus.choices, empty_label=None)
    brand = BigIntegerFilter(method="_brand", help_text="Topics with mentions matching this brand")

    class Meta:
        model = Topic
        fields: list[str] = []

    def _brand(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Exists(Mention.objects.filter(topic=OuterRef("pk"), matched_brands__contains=[value])))


def topic_list(
    *,
    actor: Principal,
    filters: Mapping[str, Any],
    case_brands: list[int] | None = None,
    case_mentions: list[int] | None = None,
) -> QuerySet[Topic]:
    """Live topics (or `status=merged`) that pass the filters, the largest first unless `ordering` says otherwise;
    with a case's brands and evidence, only the topics holding any of them."""
    check_permission(actor, "mentions.read")
    data = {key: filters.get(key) for key in filters}
    data.setdefault("status", TopicStatus.LIVE)
    filterset = TopicFilter(data, queryset=Topic.objects.all())
    if not filterset.is_valid():
        raise errors_to_validation(filterset.errors)
    queryset: QuerySet[Topic] = filterset.qs
    if case_brands is not None or case_mentions is not None:
        in_case = Q(matched_brands__overlap=case_brands or []) | Q(pk__in=case_mentions or [])
        queryset = queryset.filter(Exists(Mention.objects.filter(in_case, topic=OuterRef("pk"))))
    ordering = str(data.get("ordering") or "-size")
    if ordering.removeprefix("-") not in ORDERINGS:
        raise ValidationError(
            f"Cannot order by '{ordering[:100]}'; expected one of {', '.join(ORDERINGS)}, each with - for descending.",
            field="ordering",
        )
    queryset = queryset.order_by(ordering, "-id")
    return queryset


def topic_get(*, actor: Principal, topic_id: int) -> Topic:
    check_permission(actor, "mentions.read")
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise NotFoundError(f"No topic {topic_id}.", field="id")
    return topic


def topic_mentions(*, actor: Principal, topic_id: int) -> QuerySet[Mention]:
    """The topic's mentions, newest first (a merged topic's went to the one it merged into)."""
    topic_get(actor=actor, topic_id=topic_id)
    return Mention.objects.select_related("author").filter(topic_id=topic_id).order_by("-published_at", "-id")


def topic_as_dict(topic: Topic) -> dict[str, Any]:
    sentiment = {key: int(topic.sentiment.get(key, 0)) for key in ("positive", "neutral", "negative")}
    rated = sum(sentiment.values())
    return {
        "id": topic.pk,
        "status": topic.status,
        "merged_into": topic.merged_into_id,
        "label_terms": list(topic.label_terms),
        "size": topic.size,
        "authors": topic.authors,
        "first_seen": topic.first_seen,
        "last_seen": topic.last_seen,
        "platforms": dict(topic.platforms),
        "sentiment": sentiment,
        "net_sentiment": round((sentiment["positive"] - sentiment["negative"]) / rated, 4) if rated else None,
        "emotions": dict(topic.emotions),
        "emoticons": dict(topic.emoticons),
        "growth": topic.growth,
        "burst": topic.burst,
        "emerging_at": topic.emerging_at,
        "cascades": {
            "count": int(topic.cascades.get("count", 0)),
            "largest_root_mention_id": topic.cascades.get("largest_root_mention_id"),
            "largest_size": int(topic.cascades.get("largest_size", 0)),
        },
        "representative_mention_ids": [int(r["mention_id"]) for r in topic.representatives],
        "hourly": [{"hour": hour, "mentions": n} for hour, n in topic.hourly.items()],
        "updated_at": topic.updated_at,
    }


def term_overlap(terms: list[str], topic: Topic) -> float:
    """Share of `terms` (a brand's keywords, a case's topics) that are among the topic's centroid terms."""
    words = set(topic_terms(" ".join(terms).lower().split())) | {t.lower() for t in terms}
    if not words:
        return 0.0
    return round(len(words & set(topic.centroid)) / len(words), 4)


def topic_detail(*, actor: Principal, topic_id: int) -> dict[str, Any]:
    """The topic with its evolution (born, merges, emerging), its representative mentions and, for each brand its
    mentions match, the share of them and the brand's keyword overlap with the topic's terms."""
    topic = topic_get(actor=actor, topic_id=topic_id)
    out = topic_as_dict(topic)
    events = TopicEvent.objects.filter(Q(topic=topic)).order_by("at", "id")
    out["evolution"] = [
        {"kind": e.kind, "at": e.at, "other_topic": e.other_id, "details": dict(e.details)} for e in events
    ]
    ids = out["representative_mention_ids"]
    found = {m.pk: m for m in Mention.objects.select_related("author").filter(pk__in=ids)}
    out["representatives"] = [mention_as_dict(found[pk]) for pk in ids if pk in found]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b, count(*) FROM monitoring_mention, unnest(matched_brands) AS b WHERE topic_id = %s GROUP BY b",
            [topic.pk],
        )
        counts = dict(cursor.fetchall())
    brands = Brand.objects.filter(pk__in=list(counts)).order_by("id")
    out["brands"] = [
        {
            "brand": brand.pk,
            "name": brand.name,
            "kind": brand.kind,
            "mentions": counts[brand.pk],
            "share": round(counts[brand.pk] / topic.size, 4) if topic.size else 0.0,
            "term_overlap": term_overlap(list(brand.keywords) or [brand.name], topic),
        }
        for brand in brands
    ]
    return out


def topic_settings() -> TopicSettings:
    """The settings in force (the defaults until a tenant changes them), for services and reads alike."""
    return TopicSettings.objects.first() or TopicSettings()


def topic_settings_get(*, actor: Principal) -> TopicSettings:
    check_permission(actor, "warning.read")
    return topic_settings()


def scope_topic_burst(scope: str, at: datetime, min_size: int) -> tuple[float, Topic | None]:
    """The highest burst score at `at` among the scope's live topics of at least `min_size` mentions that were
    active in the hour before, and its topic. Computed from each topic's hourly counts, so a backtest replaying an
    earlier time gets the score that time had (within the 7 days a topic keeps)."""
    since = stats.hour_floor(at) - timedelta(hours=1)
    topics = Topic.objects.filter(status=TopicStatus.LIVE, size__gte=min_size, last_seen__gte=since, first_seen__lte=at)
    kind, _, raw_id = scope.partition(":")
    if kind in ("brand", "rule"):
        column = "matched_brands" if kind == "brand" else "matched_rules"
        topics = topics.filter(
            Exists(Mention.objects.filter(topic=OuterRef("pk"), **{f"{column}__contains": [int(raw_id)]}))
        )
    best: tuple[float, Topic | None] = (0.0, None)
    for topic in topics.only("id", "hourly", "label_terms", "size"):
        hourly = {datetime.fromisoformat(h): n for h, n in topic.hourly.items()}
        score = stats.burst_score({h: n for h, n in hourly.items() if h <= at}, at)
        if score > best[0]:
            best = (score, topic)
    return best
