"""Reads on promotion rules."""

from django.db.models import QuerySet

from monitoring.models import WarningPolicy
from responses.models import PromotionRule


def promotion_rule_of(policy: WarningPolicy) -> PromotionRule:
    """The policy's promotion rule; a policy that has none (the tenant's default policy) gets an unsaved one that
    never promotes."""
    try:
        return policy.promotion_rule
    except PromotionRule.DoesNotExist:
        return PromotionRule(policy=policy)


def with_promotion_rules(policies: QuerySet[WarningPolicy]) -> QuerySet[WarningPolicy]:
    """The policies with their promotion rules read in the same query."""
    return policies.select_related("promotion_rule")
