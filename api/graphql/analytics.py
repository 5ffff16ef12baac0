"""Analytics over a scope over GraphQL: the same services and fields as GET /api/v1/analytics/key-nodes and
/api/v1/analytics/forecast."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.graphql.permissions import actor
from responses.cases.analytics import (
    analytics_forecast,
    analytics_key_nodes,
    analytics_share_of_voice,
    analytics_trends,
)

SCOPE_HELP = "`tenant`, `brand:<id>`, `rule:<id>`, `topic:<id>` (trends and key nodes) or `case:<id>`."


@strawberry.type(description="An author who carried a scope's spread, with their measures and the reason for the rank.")
class AuthorKeyNode:
    platform: str
    author_external_id: str
    posts: int
    direct_reposts: int
    subtree_size: int
    pagerank: float
    betweenness: float
    core: int
    followers: int
    verified: bool
    top_mention_id: int
    score: float
    reason: str


@strawberry.type(description="Who carried a scope's spread in a window.")
class ScopeKeyNodes:
    scope: str
    since: datetime
    until: datetime
    nodes: int
    authors: int
    edges: int
    truncated: bool
    key_nodes: list[AuthorKeyNode]


@strawberry.type(description="Mentions in one interval.")
class VolumePoint:
    at: datetime
    mentions: int


@strawberry.type(description="The forecast for one interval, with its prediction interval.")
class ForecastPoint:
    at: datetime
    mean: float
    low: float
    high: float


@strawberry.type(description="A scope's volume series, its forecast and its trend state.")
class ScopeForecast:
    scope: str
    interval: str
    horizon: str
    since: datetime
    until: datetime
    history: list[VolumePoint]
    forecast: list[ForecastPoint]
    interval_level: float
    trend: str = strawberry.field(description="`rising`, `peaking`, `declining` or `calm`.")


@strawberry.type(description="Mentions of each emotion.")
class Emotions:
    angry: int
    fear: int
    happy: int
    neutral: int
    sad: int
    surprise: int


@strawberry.type(description="An alert on a brand's scope.")
class BrandAlert:
    id: int
    level: str
    peak_level: str
    status: str
    opened_at: datetime
    resolved_at: datetime | None


@strawberry.type(description="A crisis case about a brand.")
class BrandCase:
    id: int
    title: str
    status: str
    severity: str
    is_drill: bool
    created_at: datetime


@strawberry.type(description="One brand's voice in the window.")
class BrandVoice:
    brand_id: int
    name: str
    kind: str
    archived: bool
    mentions: int
    share: float
    positive: int
    neutral: int
    negative: int
    net_sentiment: float
    emotions: Emotions
    unique_authors: int
    reach: int
    series: list[VolumePoint]
    alerts: list[BrandAlert]
    cases: list[BrandCase]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "BrandVoice":
        return cls(
            **{k: v for k, v in d.items() if k not in ("emotions", "series", "alerts", "cases")},
            emotions=Emotions(**d["emotions"]),
            series=[VolumePoint(**p) for p in d["series"]],
            alerts=[BrandAlert(**a) for a in d["alerts"]],
            cases=[BrandCase(**c) for c in d["cases"]],
        )


@strawberry.type(description="Share of voice over the tenant's brands, own and competitors'.")
class ShareOfVoice:
    since: datetime
    until: datetime
    interval: str
    total_mentions: int
    brands: list[BrandVoice]


@strawberry.type(description="Mentions of each polarity.")
class SentimentCounts:
    positive: int
    neutral: int
    negative: int


@strawberry.type(description="A scope's talk in one interval.")
class TrendPoint:
    at: datetime
    mentions: int
    unique_authors: int
    reach: int
    sentiment: SentimentCounts
    polarity: float | None
    emotions: Emotions


@strawberry.type(description="Where a count series changed level.")
class ChangePoint:
    metric: str = strawberry.field(description="`mentions` or `negative`.")
    at: datetime
    before: float
    after: float


@strawberry.type(description="A scope's trends per interval, its change points and its trend state.")
class ScopeTrends:
    scope: str
    interval: str
    since: datetime
    until: datetime
    series: list[TrendPoint]
    change_points: list[ChangePoint]
    trend: str


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(description="Who carried a scope's spread (as GET /api/v1/analytics/key-nodes).")
    def analytics_key_nodes(
        self,
        info: Info,
        scope: Annotated[str, strawberry.argument(description=SCOPE_HELP)],
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
    ) -> ScopeKeyNodes:
        found = analytics_key_nodes(actor=actor(info), scope=scope, since=since, until=until, limit=limit)
        return ScopeKeyNodes(
            **{k: v for k, v in found.items() if k != "key_nodes"},
            key_nodes=[AuthorKeyNode(**node) for node in found["key_nodes"]],
        )

    @strawberry.field(description="A scope's volume and where it is heading (as GET /api/v1/analytics/forecast).")
    def analytics_forecast(
        self,
        info: Info,
        scope: Annotated[str, strawberry.argument(description=SCOPE_HELP)],
        interval: str = "1h",
        horizon: str = "24h",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> ScopeForecast:
        found = analytics_forecast(
            actor=actor(info), scope=scope, interval=interval, horizon=horizon, since=since, until=until
        )
        return ScopeForecast(
            **{k: v for k, v in found.items() if k not in ("history", "forecast")},
            history=[VolumePoint(**p) for p in found["history"]],
            forecast=[ForecastPoint(**p) for p in found["forecast"]],
        )

    @strawberry.field(description="Share of voice over the tenant's brands (as GET /api/v1/analytics/share-of-voice).")
    def analytics_share_of_voice(
        self,
        info: Info,
        since: datetime | None = None,
        until: datetime | None = None,
        interval: str = "1d",
        brands: list[int] | None = None,
    ) -> ShareOfVoice:
        found = analytics_share_of_voice(actor=actor(info), since=since, until=until, interval=interval, brands=brands)
        return ShareOfVoice(
            **{k: v for k, v in found.items() if k != "brands"},
            brands=[BrandVoice.from_dict(b) for b in found["brands"]],
        )

    @strawberry.field(description="A scope's trends per interval (as GET /api/v1/analytics/trends).")
    def analytics_trends(
        self,
        info: Info,
        scope: Annotated[str, strawberry.argument(description=SCOPE_HELP)],
        interval: str = "1h",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> ScopeTrends:
        found = analytics_trends(actor=actor(info), scope=scope, interval=interval, since=since, until=until)
        return ScopeTrends(
            **{k: v for k, v in found.items() if k not in ("series", "change_points")},
            series=[
                TrendPoint(
                    **{k: v for k, v in p.items() if k not in ("sentiment", "emotions")},
                    sentiment=SentimentCounts(**p["sentiment"]),
                    emotions=Emotions(**p["emotions"]),
                )
                for p in found["series"]
            ],
            change_points=[ChangePoint(**c) for c in found["change_points"]],
        )
