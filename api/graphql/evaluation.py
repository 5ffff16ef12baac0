"""The evaluation of a case over GraphQL: the same selector and fields as GET /api/v1/cases/{id}/evaluation."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from responses.evaluation.selectors import case_evaluation


@strawberry.type(description="One part of the score, with the numbers it comes from.")
class EvaluationComponent:
    name: str
    value: float | None = strawberry.field(description="0–100; null without the data to judge it.")
    weight: float
    effective_weight: float = strawberry.field(description="Its share of the score after renormalisation.")
    inputs: JSON
    explanation: str


@strawberry.type
class ComparedCase:
    case_id: int
    title: str
    created_at: datetime
    score: float | None
    grade: str | None


@strawberry.type
class ComparisonGroup:
    count: int
    scored: int
    mean_score: float | None
    rank: int | None = strawberry.field(description="This case's rank among them and itself, 1 = best.")
    out_of: int
    cases: list[ComparedCase]


@strawberry.type
class EvaluationComparison:
    previous_cases: ComparisonGroup
    drills: ComparisonGroup


@strawberry.type(description="A case's evaluation score (處置效果評估).")
class CaseEvaluation:
    case_id: int
    scenario: str
    is_drill: bool
    computed_at: datetime
    score: float | None
    grade: str | None = strawberry.field(description="A ≥ 85, B ≥ 70, C ≥ 55, D ≥ 40, else E.")
    components: list[EvaluationComponent]
    comparison: EvaluationComparison


def _group(found: dict[str, Any]) -> ComparisonGroup:
    return ComparisonGroup(
        **{k: v for k, v in found.items() if k != "cases"}, cases=[ComparedCase(**c) for c in found["cases"]]
    )


def evaluation(info: Info, case_id: int) -> CaseEvaluation:
    found = case_evaluation(actor=actor(info), case_id=case_id)
    return CaseEvaluation(
        **{k: v for k, v in found.items() if k not in ("components", "comparison")},
        components=[EvaluationComponent(**c) for c in found["components"]],
        comparison=EvaluationComparison(**{k: _group(v) for k, v in found["comparison"].items()}),
    )


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="A case's evaluation score (as GET /api/v1/cases/{id}/evaluation).")
    def case_evaluation(self, info: Info, case_id: int) -> CaseEvaluation:
        return evaluation(info, case_id)
