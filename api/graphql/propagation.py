"""Cascades over GraphQL: the same selector and fields as GET /api/v1/mentions/{id}/cascade."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql.permissions import actor
from monitoring.cascades.selectors import mention_cascade


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


@strawberry.type
class PropagationQuery:
    @strawberry.field(description="The cascade below a mention (same as GET /api/v1/mentions/{id}/cascade).")
    def mention_cascade(self, info: Info, id: int) -> Cascade:
        return Cascade.from_dict(mention_cascade(actor=actor(info), mention_id=id))
