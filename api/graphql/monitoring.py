"""Mentions, search, monitoring rules and brands over GraphQL: the same services and selectors as REST."""

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from config.errors import NotFoundError
from monitoring import models, selectors, services
from monitoring.ingest.payload import from_object
from monitoring.ingest.service import mentions_ingest
from monitoring.search.query import SearchParams

# The model choices are the GraphQL enums: one list of values for the database, REST and GraphQL.
Platform = strawberry.enum(models.Platform, name="Platform")
Sentiment = strawberry.enum(models.Sentiment, name="Sentiment")
Emotion = strawberry.enum(models.Emotion, name="Emotion")
BrandKind = strawberry.enum(models.BrandKind, name="BrandKind")


@strawberry.type
class LabelScore:
    label: str
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


@strawberry.type
class Mention:
    id: int
    platform: str
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
    relation: str | None
    parent_external_id: str | None
    sentiment: LabelScore | None
    emotion: LabelScore | None
    matched_rules: list[int]
    matched_brands: list[int]
    ingested_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, mention: models.Mention) -> "Mention":
        data = selectors.mention_as_dict(mention)
        return cls(
            **{k: v for k, v in data.items() if k not in ("author", "metrics", "sentiment", "emotion")},
            author=MentionAuthor(**data["author"]) if data["author"] else None,
            metrics=MentionMetrics(**data["metrics"]),
            sentiment=LabelScore(**data["sentiment"]) if data["sentiment"] else None,
            emotion=LabelScore(**data["emotion"]) if data["emotion"] else None,
        )


@strawberry.type
class MentionPage:
    items: list[Mention]
    next_cursor: str | None


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


@strawberry.type
class SearchResult:
    count: int
    count_is_exact: bool
    results: list[JSON]
    next_cursor: str | None
    previous_cursor: str | None
    aggregations: JSON


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
    kind: str
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
    @strawberry.field(description="Stored mentions, newest first, with their analysis.")
    def mentions(
        self, info: Info, filter: MentionFilterInput | None = None, first: int = 50, after: str = ""
    ) -> MentionPage:
        items, cursor = selectors.mention_page(
            actor=actor(info), filters=filter.as_data() if filter else {}, first=first, after=after
        )
        return MentionPage(items=[Mention.from_model(m) for m in items], next_cursor=cursor)

    @strawberry.field
    def mention(self, info: Info, id: int) -> Mention:
        found = selectors.mention_get(actor=actor(info), mention_id=id)
        if found is None:
            raise NotFoundError(f"No mention {id}.", field="id")
        return Mention.from_model(found)

    @strawberry.field(description="Full-text search; aggregations: volume, sentiment, authors, platforms, terms.")
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
        sort: str = "",
        page_size: int = 20,
        cursor: str = "",
        aggregations: list[str] | None = None,
        interval: str = "1h",
    ) -> SearchResult:
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
            sort=sort,
            page_size=page_size,
            cursor=cursor,
            aggregations=aggregations or [],
            interval=interval,
        )
        return SearchResult(**selectors.mentions_search(actor=actor(info), params=params))

    @strawberry.field(description="Live rules; `archived: true` includes archived (deleted) ones.")
    def rules(self, info: Info, archived: bool = False) -> list[Rule]:
        return cast(list[Rule], list(selectors.rule_list(actor=actor(info), archived=archived)))

    @strawberry.field(description="Live brands; `archived: true` includes archived (deleted) ones.")
    def brands(self, info: Info, archived: bool = False) -> list[Brand]:
        return cast(list[Brand], list(selectors.brand_list(actor=actor(info), archived=archived)))


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
