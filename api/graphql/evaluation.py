"""The evaluation of a case over GraphQL: the same selector and fields as GET /api/v1/cases/{id}/evaluation, and the
tenant's weights as /api/v1/evaluation-settings."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.graphql.permissions import actor
from config.validation import UNSET
from responses.evaluation import settings as evaluation_settings
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


@strawberry.type(description="The weights of the evaluation's components (the defaults until set).")
class EvaluationSettings:
    weighting: str = strawberry.field(description="`direct` or `ahp`.")
    weights: JSON = strawberry.field(description="Component name → weight, summing to 1.")
    ahp_matrix: list[list[float]] | None
    consistency_ratio: float | None
    is_default: bool


def _settings(found: evaluation_settings.EvaluationConfig) -> EvaluationSettings:
    return EvaluationSettings(**vars(found))


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="A case's evaluation score (as GET /api/v1/cases/{id}/evaluation).")
    def case_evaluation(self, info: Info, case_id: int) -> CaseEvaluation:
        return evaluation(info, case_id)

    @strawberry.field(description="The weights of the evaluation's components (as GET /api/v1/evaluation-settings).")
    def evaluation_settings(self, info: Info) -> EvaluationSettings:
        return _settings(evaluation_settings.evaluation_settings_get(actor=actor(info)))


@strawberry.type
class EvaluationMutation:
    @strawberry.mutation(
        description="Set the evaluation's weights: `direct` with weights, `ahp` with ahpMatrix (the components' "
        "order), or `default` (as PATCH /api/v1/evaluation-settings)."
    )
    def update_evaluation_settings(
        self,
        info: Info,
        weighting: str,
        weights: JSON | None = None,
        ahp_matrix: list[list[float]] | None = None,
    ) -> EvaluationSettings:
        found = evaluation_settings.evaluation_settings_update(
            actor=actor(info),
            weighting=weighting,
            weights=UNSET if weights is None else weights,
            ahp_matrix=UNSET if ahp_matrix is None else ahp_matrix,
        )
        return _settings(found)
