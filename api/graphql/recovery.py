"""Reputation recovery over GraphQL: the same selector and fields as GET /api/v1/cases/{id}/recovery."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql.effects import EmotionMix
from api.graphql.permissions import actor
from responses.recovery.selectors import case_recovery


@strawberry.type
class RecoverySettings:
    baseline_days: int
    volume_tolerance: float
    negative_share_tolerance: float
    sustained_hours: int


@strawberry.type(description="The case's scope over the days before detection.")
class RecoveryBaseline:
    since: datetime
    until: datetime
    hours: int
    mentions: int
    per_hour: float
    negative: int
    negative_share: float | None
    emotion_mix: EmotionMix | None


@strawberry.type(description="One whole hour since recovery began, against the baseline.")
class RecoveryInterval:
    at: datetime
    mentions: int
    negative: int
    negative_share: float | None
    volume_distance: float | None
    negative_share_distance: float | None
    emotion_distance: EmotionMix | None = strawberry.field(description="Each emotion's share − the baseline's.")
    within: bool


@strawberry.type(description="A case's reputation recovery against its pre-crisis baseline.")
class CaseRecovery:
    case_id: int
    scope: str
    settings: RecoverySettings
    baseline: RecoveryBaseline
    since: datetime | None
    intervals: list[RecoveryInterval]
    recovered: bool
    recovered_at: datetime | None
    hours_to_recovery: float | None
    explanation: str


def _mix(found: dict[str, float] | None) -> EmotionMix | None:
    return EmotionMix(**found) if found else None


def _interval(found: dict[str, Any]) -> RecoveryInterval:
    return RecoveryInterval(
        **{k: v for k, v in found.items() if k != "emotion_distance"}, emotion_distance=_mix(found["emotion_distance"])
    )


def recovery(info: Info, case_id: int) -> CaseRecovery:
    found = case_recovery(actor=actor(info), case_id=case_id)
    baseline = found["baseline"]
    return CaseRecovery(
        **{k: v for k, v in found.items() if k not in ("settings", "baseline", "intervals")},
        settings=RecoverySettings(**found["settings"]),
        baseline=RecoveryBaseline(
            **{k: v for k, v in baseline.items() if k != "emotion_mix"}, emotion_mix=_mix(baseline["emotion_mix"])
        ),
        intervals=[_interval(i) for i in found["intervals"]],
    )


@strawberry.type
class RecoveryQuery:
    @strawberry.field(description="A case's reputation recovery (as GET /api/v1/cases/{id}/recovery).")
    def case_recovery(self, info: Info, case_id: int) -> CaseRecovery:
        return recovery(info, case_id)
