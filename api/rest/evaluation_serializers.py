"""The shape of GET /api/v1/cases/{id}/evaluation (responses.evaluation.selectors)."""

from rest_framework import serializers

from responses.models import Scenario


class EvaluationComponent(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=[
            "timeliness",
            "sla_compliance",
            "spread_containment",
            "sentiment_recovery",
            "follow_up_closure",
            "statement_consistency",
            "tasks_on_time",
        ]
    )
    value = serializers.FloatField(allow_null=True, help_text="0–100; null without the data to judge it.")
    weight = serializers.FloatField(help_text="The component's weight before renormalisation.")
    effective_weight = serializers.FloatField(
        help_text="Its share of the score: the weight over the weights of the components with a value (0 if null)."
    )
    inputs = serializers.DictField(help_text="The raw numbers the value comes from.")
    explanation = serializers.CharField()


class ComparedCase(serializers.Serializer):
    case_id = serializers.IntegerField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    score = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_null=True)


class ComparisonGroup(serializers.Serializer):
    count = serializers.IntegerField(help_text="Cases compared (the latest 20 at most).")
    scored = serializers.IntegerField(help_text="Of those, the ones with a score.")
    mean_score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="This case's rank among them and itself, 1 = best.")
    out_of = serializers.IntegerField()
    cases = ComparedCase(many=True)


class EvaluationComparison(serializers.Serializer):
    previous_cases = ComparisonGroup(help_text="Real cases of the same scenario opened before this one.")
    drills = ComparisonGroup(help_text="Drills of the same scenario.")


class CaseEvaluationOutput(serializers.Serializer):
    case_id = serializers.IntegerField()
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    is_drill = serializers.BooleanField()
    computed_at = serializers.DateTimeField()
    score = serializers.FloatField(
        allow_null=True, help_text="0–100: the weighted mean of the components with a value."
    )
    grade = serializers.ChoiceField(
        choices=["A", "B", "C", "D", "E"], allow_null=True, help_text="A ≥ 85, B ≥ 70, C ≥ 55, D ≥ 40, else E."
    )
    components = EvaluationComponent(many=True)
    comparison = EvaluationComparison()


class EvaluationSettingsSerializer(serializers.Serializer):
    weighting = serializers.ChoiceField(
        choices=["direct", "ahp", "default"],
        help_text="`direct` with weights, `ahp` with ahp_matrix, `default` to go back to the defaults.",
    )
    weights = serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text="Direct: every component's weight (normalised to sum 1). Answered: the weights in force.",
    )
    ahp_matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        required=False,
        allow_null=True,
        help_text="AHP: pairwise comparisons, rows and columns in the components' order (consistency ratio ≤ 0.1).",
    )
    consistency_ratio = serializers.FloatField(read_only=True, allow_null=True)
    is_default = serializers.BooleanField(read_only=True)
