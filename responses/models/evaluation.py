"""The tenant's evaluation weights (one row; without it the defaults in responses.evaluation.settings apply)."""

from django.db import models


class EvaluationSettings(models.Model):
    weighting = models.CharField(max_length=10, choices=[("direct", "Direct"), ("ahp", "AHP")], default="direct")
    # Component name → weight, summing to 1: as given (normalised) with direct weighting, from the matrix with AHP.
    weights = models.JSONField(default=dict)
    ahp_matrix = models.JSONField(null=True, blank=True, help_text="Pairwise comparisons, in the components' order.")
    consistency_ratio = models.FloatField(null=True, blank=True)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "evaluation settings"

    def __str__(self) -> str:
        return "evaluation settings"
