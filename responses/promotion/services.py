"""Writes on warning policies together with their promotion settings.

The policy itself belongs to monitoring, which knows nothing of cases; the `promote_*` settings are kept here, on
the policy's promotion rule. Both faces create and change a policy through these functions, so the policy and its
rule are written in one transaction and bad input on either side is reported together.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from config.errors import ErrorList, FieldError, ValidationError
from config.validation import UNSET
from monitoring.models import Level, WarningPolicy
from monitoring.warning.services import policy_create, policy_update
from responses.models import PromotionRule, Scenario
from tenants.identity.principals import Principal

# The policy's field name for each setting of its promotion rule.
SETTINGS = {"promote_level": "level", "promote_own_brands_only": "own_brands_only", "promote_scenario": "scenario"}


def _promotion_values(errors: ErrorList, data: dict[str, Any]) -> dict[str, Any]:
    """Take the promotion settings out of the policy's data, checked; only the ones given."""
    given = {SETTINGS[name]: data.pop(name) for name in list(data) if name in SETTINGS}
    values = {name: value for name, value in given.items() if value is not UNSET}
    if "level" in values and values["level"] not in ("", *Level.values):
        errors.add("promote_level", f"Unknown level '{values['level']}'; expected blue, yellow, orange, red or empty.")
    if "scenario" in values and values["scenario"] not in Scenario.values:
        errors.add(
            "promote_scenario",
            f"Unknown scenario '{values['scenario']}'; expected one of {', '.join(Scenario.values)}.",
        )
    if "own_brands_only" in values and not isinstance(values["own_brands_only"], bool):
        errors.add("promote_own_brands_only", "true or false.")
    return values


def _write_policy(errors: ErrorList, write: Callable[[], WarningPolicy]) -> WarningPolicy:
    """Run the policy write; its field errors and the promotion settings' errors are raised as one."""
    try:
        policy = write()
    except ValidationError as exc:
        if not errors.items:
            raise
        found = exc.details or [FieldError(exc.field or "", exc.message)]
        raise ValidationError(exc.message, field=exc.field, details=[*found, *errors.items]) from exc
    errors.raise_if_any()
    return policy


@transaction.atomic
def warning_policy_create(*, actor: Principal, **data: Any) -> WarningPolicy:
    """A new warning policy (see monitoring's `policy_create`) with its promotion rule."""
    errors = ErrorList()
    values = _promotion_values(errors, data)
    policy = _write_policy(errors, lambda: policy_create(actor=actor, **data))
    PromotionRule.objects.create(policy=policy, **values)
    return policy


@transaction.atomic
def warning_policy_update(*, actor: Principal, policy_id: int, **data: Any) -> WarningPolicy:
    """Change a warning policy (see monitoring's `policy_update`) and the promotion settings given."""
    errors = ErrorList()
    values = _promotion_values(errors, data)
    policy = _write_policy(errors, lambda: policy_update(actor=actor, policy_id=policy_id, **data))
    if values:
        PromotionRule.objects.update_or_create(policy=policy, defaults=values)
    return policy
