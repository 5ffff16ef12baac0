"""The evaluation's weights and grade bands. Every tenant uses these defaults for now (no per-tenant override yet)."""

# Timeliness weighs most: the handbook's first lesson is the golden hour. The rest share what is left.
DEFAULT_WEIGHTS: dict[str, float] = {
    "timeliness": 0.20,
    "sla_compliance": 0.15,
    "spread_containment": 0.15,
    "sentiment_recovery": 0.15,
    "follow_up_closure": 0.15,
    "statement_consistency": 0.10,
    "tasks_on_time": 0.10,
}
# The lowest score of each grade, best first; below the last is E.
GRADES: tuple[tuple[str, float], ...] = (("A", 85.0), ("B", 70.0), ("C", 55.0), ("D", 40.0))
LOWEST_GRADE = "E"
# How many earlier cases (and drills) of the scenario the comparison scores.
COMPARISON_LIMIT = 20


def grade_of(score: float) -> str:
    return next((grade for grade, lowest in GRADES if score >= lowest), LOWEST_GRADE)
