"""Hot topics over GraphQL: the same selectors and fields as /api/v1/topics, /topics/{id}, /topics/{id}/mentions
and /topic-settings."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from django.db.models import QuerySet
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.monitoring import Mention, MentionConnection
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from monitoring import models
from monitoring.topics import selectors, services
from responses.cases.topics import case_topic_list, topic_with_cases


@strawberry.enum
class TopicOrdering(Enum):
    SIZE = "-size"
    GROWTH = "-growth"
    BURST = "-burst"
    LAST_SEEN = "-last_seen"
    SIZE_ASC = "size"
    GROWTH_ASC = "growth"
    BURST_ASC = "burst"
    LAST_SEEN_ASC = "last_seen"


@strawberry.type
class TopicSentiment:
    positive: int
    neutral: int
    negative: int


@strawberry.type
class TopicCascades:
    count: int
    largest_root_mention_id: int | None = strawberry.field(description="Its structure: `cascade(mentionId:)`.")
    largest_size: int


@strawberry.type
class TopicHour:
    hour: str
    mentions: int


@strawberry.type
class TopicEvent:
    kind: str = strawberry.field(description="born, absorbed (another topic merged in), merged (into other), emerging")
    at: datetime
    other_topic: int | None
    details: JSON


@strawberry.type
class TopicBrand:
    brand: int
    name: str
    kind: str
    mentions: int
    share: float
    term_overlap: float


@strawberry.type
class TopicCase:
    case: int
    title: str
    status: str
    mentions: int
    share: float
    term_overlap: float


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "sentiment": TopicSentiment(**data["sentiment"]),
        "cascades": TopicCascades(**data["cascades"]),
        "hourly": [TopicHour(**h) for h in data["hourly"]],
    }


@strawberry.type(description="A hot topic: mentions grouped by what they talk about, the same fields as REST's.")
class Topic:
    id: int
    status: models.TopicStatus
    merged_into: int | None
    label_terms: list[str]
    size: int
    authors: int
    first_seen: datetime
    last_seen: datetime
    platforms: JSON
    sentiment: TopicSentiment
    net_sentiment: float | None
    emotions: JSON
    emoticons: JSON
    growth: float
    burst: float
    emerging_at: datetime | None
    cascades: TopicCascades
    representative_mention_ids: list[int]
    hourly: list[TopicHour]
    updated_at: datetime

    @classmethod
    def from_model(cls, topic: models.Topic) -> "Topic":
        data = _plain(selectors.topic_as_dict(topic))
        return cls(**{k: data[k] for k in cls.__annotations__})


@strawberry.type(description="One topic with its evolution, representative mentions, brands and open cases.")
class TopicDetail(Topic):
    evolution: list[TopicEvent]
    representatives: list[Mention]
    brands: list[TopicBrand]
    cases: list[TopicCase]


@strawberry.type(name="TopicConnection", description="Hot topics, a page at a time.")
class TopicConnection(Connection[Topic]):
    @classmethod
    def resolve_node(cls, node: Any, *, info: Info, **kwargs: Any) -> Topic:
        return Topic.from_model(node)


@strawberry.input
class TopicFilterInput:
    since: datetime | None = None
    until: datetime | None = None
    brand: int | None = None
    case: int | None = None
    min_size: int | None = None
    status: models.TopicStatus | None = None
    ordering: TopicOrdering | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in vars(self).items():
            if value is None:
                continue
            data[name] = value.isoformat() if isinstance(value, datetime) else str(getattr(value, "value", value))
        return data


@strawberry.type
class TopicSettings:
    emerging_burst: float
    emerging_min_size: int


@strawberry.type
class TopicsQuery:
    @connection(TopicConnection, description="Hot topics, the largest first unless `filter.ordering` says otherwise.")
    def topics(self, info: Info, filter: TopicFilterInput | None = None) -> QuerySet[models.Topic]:
        return case_topic_list(actor=actor(info), filters=filter.as_data() if filter else {})

    @strawberry.field(description="One topic: evolution (born, merges, emerging), representatives, brands, cases.")
    def topic(self, info: Info, id: int) -> TopicDetail:
        data = _plain(topic_with_cases(actor=actor(info), topic_id=id))
        fields = {k: data[k] for k in Topic.__annotations__}
        return TopicDetail(
            **fields,
            evolution=[TopicEvent(**e) for e in data["evolution"]],
            representatives=[Mention.from_dict(m) for m in data["representatives"]],
            brands=[TopicBrand(**b) for b in data["brands"]],
            cases=[TopicCase(**c) for c in data["cases"]],
        )

    @connection(MentionConnection, description="The topic's mentions, newest first.")
    def topic_mentions(self, info: Info, topic_id: int) -> QuerySet[models.Mention]:
        return selectors.topic_mentions(actor=actor(info), topic_id=topic_id)

    @strawberry.field(description="When a topic counts as emerging (the topic.emerging webhook).")
    def topic_settings(self, info: Info) -> TopicSettings:
        row = selectors.topic_settings_get(actor=actor(info))
        return TopicSettings(emerging_burst=row.emerging_burst, emerging_min_size=row.emerging_min_size)


@strawberry.type
class TopicsMutation:
    @strawberry.mutation(description="Change when a topic counts as emerging (admins and analysts).")
    def update_topic_settings(
        self, info: Info, emerging_burst: float | None = None, emerging_min_size: int | None = None
    ) -> TopicSettings:
        row = services.topic_settings_update(
            actor=actor(info), emerging_burst=emerging_burst, emerging_min_size=emerging_min_size
        )
        return TopicSettings(emerging_burst=row.emerging_burst, emerging_min_size=row.emerging_min_size)
