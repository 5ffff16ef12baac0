"""The evaluation's weights, per tenant (direct, or from an AHP comparison matrix as the warning index does), with
the defaults here for a tenant that has set none, and the grade bands."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from config.errors import ErrorList, ValidationError
from config.validation import UNSET
from monitoring.warning.ahp import ahp_weights
from responses.models import EvaluationSettings
from tenants.identity.principals import Principal, check_permission

# Timeliness weighs most: the handbook's first lesson is the golden hour. The rest share what is left. The order is
# the components' (and an AHP matrix's rows').
DEFAULT_WEIGHTS: dict[str, float] = {
    "timeliness": 0.20,
    "sla_compliance": 0.15,
    "spread_containment": 0.15,
    "sentiment_recovery": 0.15,
    "follow_up_closure": 0.15,
    "statement_consistency": 0.10,
    "tasks_on_time": 0.10,
}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
WEIGHTINGS = ("direct", "ahp", "default")
# The lowest score of each grade, best first; below the last is E.
GRADES: tuple[tuple[str, float], ...] = (("A", 85.0), ("B", 70.0), ("C", 55.0), ("D", 40.0))
LOWEST_GRADE = "E"
# How many earlier cases (and drills) of the scenario the comparison scores.
COMPARISON_LIMIT = 20


def grade_of(score: float) -> str:
    return next((grade for grade, lowest in GRADES if score >= lowest), LOWEST_GRADE)


@dataclass(frozen=True)
class EvaluationConfig:
    weighting: str
    weights: dict[str, float]
    ahp_matrix: list[list[float]] | None
    consistency_ratio: float | None
    is_default: bool


def evaluation_config() -> EvaluationConfig:
    """The weights in force (for the selectors; the API reads them through evaluation_settings_get)."""
    row = EvaluationSettings.objects.first()
    if row is None:
        return EvaluationConfig("direct", dict(DEFAULT_WEIGHTS), None, None, True)
    return EvaluationConfig(row.weighting, dict(row.weights), row.ahp_matrix, row.consistency_ratio, False)


def evaluation_settings_get(*, actor: Principal) -> EvaluationConfig:
    check_permission(actor, "cases.read")
    return evaluation_config()


def _direct(weights: Any) -> dict[str, float]:
    errors = ErrorList()
    if not isinstance(weights, dict):
        raise ValidationError(f"weights maps each of {', '.join(COMPONENTS)} to a weight.", field="weights")
    for name in weights:
        if name not in COMPONENTS:
            errors.add(f"weights.{str(name)[:40]}", f"Unknown component; expected {', '.join(COMPONENTS)}.")
    for name in COMPONENTS:
        value = weights.get(name)
        if name not in weights:
            errors.add(f"weights.{name}", "Every component needs a weight (0 leaves it out).")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1000:
            errors.add(f"weights.{name}", "A weight is a number from 0 to 1000.")
    errors.raise_if_any()
    total = sum(float(weights[name]) for name in COMPONENTS)
    if total <= 0:
        raise ValidationError("At least one weight must be above 0.", field="weights")
    return {name: round(float(weights[name]) / total, 6) for name in COMPONENTS}


@transaction.atomic
def evaluation_settings_update(
    *, actor: Principal, weighting: str, weights: Any = UNSET, ahp_matrix: Any = UNSET
) -> EvaluationConfig:
    """Set the weights: `direct` with `weights` (normalised to sum 1), `ahp` with `ahp_matrix` (rows and columns in
    the components' order; consistency ratio at most 0.1), or `default` to go back to the defaults."""
    check_permission(actor, "sla.manage")
    if weighting not in WEIGHTINGS:
        raise ValidationError(
            f"Unknown weighting '{weighting[:40]}'; expected {', '.join(WEIGHTINGS)}.", field="weighting"
        )
    for name, given, wanted in (("weights", weights, "direct"), ("ahp_matrix", ahp_matrix, "ahp")):
        if given is not UNSET and weighting != wanted:
            raise ValidationError(f"{name} goes with weighting '{wanted}' only.", field=name)
        if given is UNSET and weighting == wanted:
            raise ValidationError(f"Weighting '{wanted}' needs {name}.", field=name)
    if weighting == "default":
        EvaluationSettings.objects.all().delete()
        return evaluation_config()
    matrix, ratio = None, None
    if weighting == "direct":
        found = _direct(weights)
    else:
        if not isinstance(ahp_matrix, list) or not all(isinstance(row, list) for row in ahp_matrix):
            raise ValidationError("ahp_matrix is a list of rows of numbers.", field="ahp_matrix")
        if len(ahp_matrix) != len(COMPONENTS):
            raise ValidationError(
                f"The AHP matrix has {len(ahp_matrix)} rows for {len(COMPONENTS)} components "
                f"({', '.join(COMPONENTS)}).",
                field="ahp_matrix",
            )
        if any(isinstance(v, bool) or not isinstance(v, int | float) for row in ahp_matrix for v in row):
            raise ValidationError("Comparison values must be positive numbers (1/9 … 9).", field="ahp_matrix")
        result = ahp_weights(ahp_matrix)
        found, matrix, ratio = dict(zip(COMPONENTS, result.weights, strict=True)), ahp_matrix, result.consistency_ratio
    row = EvaluationSettings.objects.select_for_update().first() or EvaluationSettings()
    row.weighting, row.weights, row.ahp_matrix, row.consistency_ratio = weighting, found, matrix, ratio
    row.updated_by = actor.name
    row.save()
    return evaluation_config()
