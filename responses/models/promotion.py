"""Promotion rules: when the alerts of a warning policy open a crisis case by themselves."""

from django.db import models

from monitoring.models import Level
from responses.models.cases import Scenario


class PromotionRule(models.Model):
    """At most one per warning policy; a policy without one never promotes (as a rule with an empty level)."""

    policy = models.OneToOneField("monitoring.WarningPolicy", on_delete=models.CASCADE, related_name="promotion_rule")
    level = models.CharField(
        max_length=6,
        choices=Level.choices,
        blank=True,
        help_text="Open a crisis case automatically when an alert reaches this level; empty: never.",
    )
    own_brands_only = models.BooleanField(
        default=True, help_text="Promote only alerts on a brand of kind 'own' (not competitors, rules or the tenant)."
    )
    scenario = models.CharField(
        max_length=24, choices=Scenario.choices, default=Scenario.OTHER, help_text="Scenario of promoted cases."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["policy_id"]

    def __str__(self) -> str:
        return f"promotion of policy {self.policy_id} at {self.level or 'never'}"
