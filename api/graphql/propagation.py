"""Cascades over GraphQL: the same selectors and fields as GET /api/v1/mentions/{id}/cascade and its sub-resources."""

import base64
import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql.paging import DEFAULT_FIRST
from api.graphql.permissions import actor
from config.errors import ValidationError
from config.keyset import sequence_page
from monitoring.cascades.selectors import (
    mention_cascade,
    mention_cascade_export,
    mention_cascade_forecast,
    mention_cascade_nodes,
)


@strawberry.enum(description="What a cascade export holds.")
class CascadeGraph(enum.Enum):
    CASCADE = "cascade"
    AUTHORS = "authors"


@strawberry.enum(description="A cascade export's file format.")
class CascadeExportFormat(enum.Enum):
    GEXF = "gexf"
    GRAPHML = "graphml"
    JSON = "json"
    SVG = "svg"
    PNG = "png"


@strawberry.type(description="Cumulative size of the cascade at a time.")
class GrowthPoint:
    at: datetime
    size: int


@strawberry.type(description="Seconds from the first post until the cascade held 10%, 50% and 90% of its size.")
class TimeToShare:
    p10: float | None
    p50: float | None
    p90: float | None


@strawberry.type(description="A node that carried the spread, with its measures and why it ranks where it does.")
class KeyNode:
    mention_id: int
    author_external_id: str
    followers: int
    verified: bool
    depth: int
    published_at: datetime
    direct_reposts: int
    subtree_size: int
    pagerank: float
    betweenness: int
    score: float
    reason: str


@strawberry.type(description="Where the cascade started: an earliest post, or the first node of a large branch.")
class CascadeOrigin:
    mention_id: int
    author_external_id: str
    published_at: datetime
    kind: str
    subtree_size: int


@strawberry.type(description="The cascade below a mention: its structure, key nodes and origins.")
class Cascade:
    mention_id: int
    size: int
    unique_authors: int
    depth: int
    max_breadth: int
    breadth_by_depth: list[int]
    structural_virality: float
    reach: int
    growth: list[GrowthPoint]
    time_to_share: TimeToShare
    platforms: list[str]
    key_nodes: list[KeyNode]
    origins: list[CascadeOrigin]
    orphans: int = strawberry.field(
        description="Nodes whose parent is not stored: they name this mention as their root and hang off it."
    )
    truncated: bool

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Cascade":
        return cls(
            **{k: v for k, v in d.items() if k not in ("growth", "time_to_share", "key_nodes", "origins")},
            growth=[GrowthPoint(**p) for p in d["growth"]],
            time_to_share=TimeToShare(**d["time_to_share"]),
            key_nodes=[KeyNode(**k) for k in d["key_nodes"]],
            origins=[CascadeOrigin(**o) for o in d["origins"]],
        )


@strawberry.type(description="One node of a cascade, with how much of the spread went through it.")
class CascadeNode:
    mention_id: int
    parent_id: int | None
    depth: int
    author_external_id: str
    followers: int
    verified: bool
    published_at: datetime
    platform: str
    sentiment: str | None
    orphan: bool
    direct_reposts: int
    subtree_size: int


@strawberry.type(description="A page of a cascade's nodes; pass endCursor as `after` for the next one.")
class CascadeNodePage:
    nodes: list[CascadeNode]
    end_cursor: str | None
    has_next_page: bool


@strawberry.type(description="A cascade as a file: text formats as they are, PNG in base64.")
class CascadeExport:
    filename: str
    media_type: str
    encoding: str = strawberry.field(description="`utf-8` for gexf, graphml, json and svg; `base64` for png.")
    content: str


@strawberry.type(description="The predicted final size of a cascade, with an interval and the model that answered.")
class CascadeForecast:
    mention_id: int
    observed_until: datetime
    observed_size: int
    predicted_final_size: int
    interval_low: int
    interval_high: int
    interval_level: float
    method: str = strawberry.field(description="`loglinear`, `seismic` or `observed` (nothing to predict from).")
    history_cascades: int
    current_size: int


@strawberry.type
class PropagationQuery:
    @strawberry.field(description="The cascade below a mention (same as GET /api/v1/mentions/{id}/cascade).")
    def mention_cascade(self, info: Info, id: int) -> Cascade:
        return Cascade.from_dict(mention_cascade(actor=actor(info), mention_id=id))

    @strawberry.field(description="Every node of the cascade below a mention, breadth first, a page at a time.")
    def mention_cascade_nodes(
        self, info: Info, id: int, first: int = DEFAULT_FIRST, after: str | None = None
    ) -> CascadeNodePage:
        nodes = mention_cascade_nodes(actor=actor(info), mention_id=id)
        try:
            page = sequence_page(nodes, size=first, cursor=after or "")
        except ValidationError as exc:
            raise ValidationError("after is not a cursor of this list.", field="after") from exc
        return CascadeNodePage(
            nodes=[CascadeNode(**node) for node in page.items],
            end_cursor=page.next_cursor,
            has_next_page=page.next_cursor is not None,
        )

    @strawberry.field(description="The cascade or its author graph as a file (as GET …/cascade?export=).")
    def mention_cascade_export(
        self, info: Info, id: int, format: CascadeExportFormat, graph: CascadeGraph = CascadeGraph.CASCADE
    ) -> CascadeExport:
        content, media_type, filename = mention_cascade_export(
            actor=actor(info), mention_id=id, fmt=format.value, graph=graph.value
        )
        binary = format is CascadeExportFormat.PNG
        return CascadeExport(
            filename=filename,
            media_type=media_type,
            encoding="base64" if binary else "utf-8",
            content=base64.b64encode(content).decode() if binary else content.decode(),
        )

    @strawberry.field(description="How big the cascade below a mention will get (as GET …/cascade/forecast).")
    def mention_cascade_forecast(self, info: Info, id: int, observed_until: datetime | None = None) -> CascadeForecast:
        return CascadeForecast(
            **mention_cascade_forecast(actor=actor(info), mention_id=id, observed_until=observed_until)
        )
