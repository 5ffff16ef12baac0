"""Mentions, search, monitoring rules and brands over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.relay import PageInfo
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.enums import SearchAggregation, SearchSort
from api.graphql.paging import Connection, connection
from api.graphql.permissions import actor
from config.errors import NotFoundError, ValidationError
from monitoring import models, selectors, services
from monitoring.ingest.payload import from_object
from monitoring.ingest.service import mentions_ingest
from monitoring.search.query import SearchParams


@strawberry.type
class SentimentScore:
    label: models.Sentiment
    score: float | None


@strawberry.type
class EmotionScore:
    label: models.Emotion
    score: float | None


@strawberry.type
class MentionAuthor:
    external_id: str
    name: str
    followers: int
    verified: bool


@strawberry.type
class MentionMetrics:
    likes: int
    reposts: int
    comments: int
    views: int


def _instant(value: datetime | str) -> datetime:
    # Search hits carry the index's text; stored mentions carry the datetime itself.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@strawberry.type(description="A mention with its analysis, the same fields as REST's.")
class Mention:
    id: int
    platform: models.Platform
    external_id: str
    url: str
    author: MentionAuthor | None
    title: str
    text: str
    language: str
    script: str
    published_at: datetime
    metrics: MentionMetrics
    engagement: int
    relation: models.Relation | None
    parent_external_id: str | None
    root_external_id: str | None = strawberry.field(
        description="The cascade's original post, when the platform names it."
    )
    sentiment: SentimentScore | None
    emotion: EmotionScore | None
    matched_rules: list[int]
    matched_brands: list[int]
    ingested_at: datetime | None = strawberry.field(description="null in search results: the index does not keep it.")
    updated_at: datetime | None = strawberry.field(description="null in search results: the index does not keep it.")
    topic: int | None = strawberry.field(
        default=None,
        description="The mention's hot topic (`topic(id:)`); null until the topics refresh took it in, and in search "
        "results.",
    )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Mention":
        """From the public shape REST shows too: `selectors.mention_as_dict` or a search hit."""
        fields = {k: data[k] for k in cls.__annotations__ if k in data}
        return cls(
            **fields
            | {
                "published_at": _instant(data["published_at"]),
                "author": MentionAuthor(**data["author"]) if data["author"] else None,
                "metrics": MentionMetrics(**data["metrics"]),
                "sentiment": SentimentScore(**data["sentiment"]) if data["sentiment"] else None,
                "emotion": EmotionScore(**data["emotion"]) if data["emotion"] else None,
                "ingested_at": data.get("ingested_at"),
                "updated_at": data.get("updated_at"),
            }
        )

    @classmethod
    def from_model(cls, mention: models.Mention) -> "Mention":
        return cls.from_dict(selectors.mention_as_dict(mention))


@strawberry.type(name="MentionConnection", description="Stored mentions, a page at a time.")
class MentionConnection(Connection[Mention]):
    @classmethod
    def resolve_node(cls, node: Any, *, info: Info, **kwargs: Any) -> Mention:
        return Mention.from_model(node)


@strawberry.input
class MentionFilterInput:
    external_id: str | None = None
    platform: list[models.Platform] | None = None
    sentiment: list[models.Sentiment] | None = None
    emotion: list[models.Emotion] | None = None
    language: str | None = None
    rule: int | None = None
    brand: int | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    parent_external_id: str | None = None
    topic: int | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in vars(self).items():
            if value is None:
                continue
            if isinstance(value, list):
                data[name] = [getattr(v, "value", v) for v in value]
            elif isinstance(value, datetime):
                data[name] = value.isoformat()
            else:
                data[name] = str(value)
        return data


@strawberry.type
class IngestError:
    index: int
    field: str
    message: str


@strawberry.type
class IngestResult:
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[IngestError]


@strawberry.type(description="A search hit: the mention, how well it matched and where the query's words are.")
class MentionSearchEdge:
    cursor: str
    node: Mention
    score: float | None = strawberry.field(description="Relevance; null unless sorted by relevance.")
    highlights: list[str] = strawberry.field(description="Fragments of the text with the matches in <em>.")


@strawberry.type(description="Search results, a page at a time, with counts and the aggregations asked for.")
class MentionSearchConnection:
    page_info: PageInfo
    edges: list[MentionSearchEdge]
    total_count: int = strawberry.field(description="Mentions found; a lower bound when countIsExact is false.")
    count_is_exact: bool
    aggregations: JSON

    @classmethod
    def from_search(cls, found: dict[str, Any]) -> "MentionSearchConnection":
        edges = [
            MentionSearchEdge(
                cursor=hit["cursor"], node=Mention.from_dict(hit), score=hit["score"], highlights=hit["highlights"]
            )
            for hit in found["results"]
        ]
        page_info = PageInfo(
            has_next_page=found["next_cursor"] is not None,
            has_previous_page=found["previous_cursor"] is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(
            page_info=page_info,
            edges=edges,
            total_count=found["count"],
            count_is_exact=found["count_is_exact"],
            aggregations=found["aggregations"],
        )


# The search service names its parameters as REST's query string does; here they are GraphQL arguments.
_SEARCH_ARGUMENTS = {"page_size": "first", "cursor": "after"}


@strawberry_django.type(models.MonitoringRule)
class Rule:
    id: strawberry.auto
    name: strawberry.auto
    expression: strawberry.auto
    description: strawberry.auto
    is_active: strawberry.auto
    created_at: strawberry.auto
    updated_at: strawberry.auto
    archived_at: datetime | None
    archived_by: str


@strawberry_django.type(models.Brand)
class Brand:
    id: strawberry.auto
    name: strawberry.auto
    kind: models.BrandKind
    expression: strawberry.auto
    keywords: list[str]
    is_active: strawberry.auto
    created_at: strawberry.auto
    updated_at: strawberry.auto
    archived_at: datetime | None
    archived_by: str


@strawberry.input
class RuleInput:
    name: str
    expression: str
    description: str = ""
    is_active: bool = True


@strawberry.input
class RulePatch:
    name: str | None = strawberry.UNSET
    expression: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


@strawberry.input
class BrandInput:
    name: str
    expression: str
    kind: models.BrandKind = models.BrandKind.OWN
    keywords: list[str] = strawberry.field(default_factory=list)
    is_active: bool = True


@strawberry.input
class BrandPatch:
    name: str | None = strawberry.UNSET
    expression: str | None = strawberry.UNSET
    kind: models.BrandKind | None = strawberry.UNSET
    keywords: list[str] | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


def _given(patch: Any) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in vars(patch).items() if v is not strawberry.UNSET and v is not None}


@strawberry.type
class MonitoringQuery:
    @connection(MentionConnection, description="Stored mentions, newest first, with their analysis.")
    def mentions(self, info: Info, filter: MentionFilterInput | None = None) -> QuerySet[models.Mention]:
        return selectors.mention_list(actor=actor(info), filters=filter.as_data() if filter else {})

    @strawberry.field
    def mention(self, info: Info, id: int) -> Mention:
        found = selectors.mention_get(actor=actor(info), mention_id=id)
        if found is None:
            raise NotFoundError(f"No mention {id}.", field="id")
        return Mention.from_model(found)

    @strawberry.field(
        description="Full-text search; aggregations: volume, sentiment, emotion, authors, platforms, terms."
    )
    def search_mentions(
        self,
        info: Info,
        q: str = "",
        platform: list[models.Platform] | None = None,
        sentiment: list[models.Sentiment] | None = None,
        emotion: list[models.Emotion] | None = None,
        language: list[str] | None = None,
        rule: list[int] | None = None,
        brand: list[int] | None = None,
        author: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        min_engagement: int | None = None,
        sort: SearchSort | None = None,
        first: int = 50,
        after: str | None = None,
        aggregations: list[SearchAggregation] | None = None,
        interval: str = "1h",
    ) -> MentionSearchConnection:
        params = SearchParams(
            q=q,
            platforms=[str(p.value) for p in platform or []],
            sentiments=[str(s.value) for s in sentiment or []],
            emotions=[str(e.value) for e in emotion or []],
            languages=language or [],
            rules=rule or [],
            brands=brand or [],
            author=author,
            since=since,
            until=until,
            min_engagement=min_engagement,
            sort=sort or "",
            page_size=first,
            cursor=after or "",
            aggregations=list(aggregations or []),
            interval=interval,
        )
        try:
            found = selectors.mentions_search(actor=actor(info), params=params)
        except ValidationError as exc:
            if exc.field not in _SEARCH_ARGUMENTS:
                raise
            name = _SEARCH_ARGUMENTS[exc.field]
            raise ValidationError(exc.message.replace(exc.field, name), field=name, code=exc.code) from exc
        return MentionSearchConnection.from_search(found)

    @connection(Connection[Rule], description="Live rules by id; `archived: true` includes archived (deleted) ones.")
    def rules(self, info: Info, archived: bool = False) -> QuerySet[models.MonitoringRule]:
        return selectors.rule_list(actor=actor(info), archived=archived)

    @connection(Connection[Brand], description="Live brands by id; `archived: true` includes archived (deleted) ones.")
    def brands(self, info: Info, archived: bool = False) -> QuerySet[models.Brand]:
        return selectors.brand_list(actor=actor(info), archived=archived)


@strawberry.type
class MonitoringMutation:
    @strawberry.mutation(description="Ingest mentions (same items as POST /api/v1/mentions/batch).")
    def ingest_mentions(self, info: Info, mentions: list[JSON]) -> IngestResult:
        result = mentions_ingest(actor=actor(info), payload=from_object({"mentions": mentions})).as_dict()
        return IngestResult(
            accepted=cast(int, result["accepted"]),
            updated=cast(int, result["updated"]),
            unchanged=cast(int, result["unchanged"]),
            rejected=cast(int, result["rejected"]),
            errors=[IngestError(**e) for e in cast(list[dict[str, Any]], result["errors"])],
        )

    @strawberry.mutation
    def create_rule(self, info: Info, input: RuleInput) -> Rule:
        return cast(Rule, services.rule_create(actor=actor(info), **vars(input)))

    @strawberry.mutation
    def update_rule(self, info: Info, id: int, input: RulePatch) -> Rule:
        return cast(Rule, services.rule_update(actor=actor(info), rule_id=id, **_given(input)))

    @strawberry.mutation(description="Archive: stops matching new mentions; what it matched keeps its id.")
    def delete_rule(self, info: Info, id: int) -> bool:
        services.rule_archive(actor=actor(info), rule_id=id)
        return True

    @strawberry.mutation(description="Bring back an archived rule.")
    def restore_rule(self, info: Info, id: int) -> Rule:
        return cast(Rule, services.rule_restore(actor=actor(info), rule_id=id))

    @strawberry.mutation
    def create_brand(self, info: Info, input: BrandInput) -> Brand:
        data = vars(input) | {"kind": getattr(input.kind, "value", input.kind)}
        return cast(Brand, services.brand_create(actor=actor(info), **data))

    @strawberry.mutation
    def update_brand(self, info: Info, id: int, input: BrandPatch) -> Brand:
        return cast(Brand, services.brand_update(actor=actor(info), brand_id=id, **_given(input)))

    @strawberry.mutation(description="Archive: stops matching; cases and mentions linked to it keep it.")
    def delete_brand(self, info: Info, id: int) -> bool:
        services.brand_archive(actor=actor(info), brand_id=id)
        return True

    @strawberry.mutation(description="Bring back an archived brand.")
    def restore_brand(self, info: Info, id: int) -> Brand:
        return cast(Brand, services.brand_restore(actor=actor(info), brand_id=id))
