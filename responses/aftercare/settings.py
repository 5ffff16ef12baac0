"""The tenant's follow-up settings: due time per follow-up type (the SLA), and the compensation amount above which a
compensation needs approval. Unset values fall back to the defaults here."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from config.errors import ErrorList
from config.validation import UNSET
from responses.models import AftercareSettings, FollowUpType
from tenants.identity.principals import Principal, check_permission

# Minutes from opening to due: a callback within 4 hours, a complaint or apology within a day, a compensation
# within 3 days, a satisfaction survey within a week.
DEFAULT_SLA_MINUTES: dict[str, int] = {
    FollowUpType.COMPLAINT: 1440,
    FollowUpType.INQUIRY: 480,
    FollowUpType.APOLOGY: 1440,
    FollowUpType.COMPENSATION: 4320,
    FollowUpType.CALLBACK: 240,
    FollowUpType.SATISFACTION_SURVEY: 10080,
}
DEFAULT_THRESHOLD = Decimal("500.00")
DEFAULT_CURRENCY = "CNY"
MAX_SLA_MINUTES = 60 * 24 * 90
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class AftercareConfig:
    sla_minutes: dict[str, int]
    compensation_approval_threshold: Decimal
    compensation_threshold_currency: str


def aftercare_config() -> AftercareConfig:
    """The settings in force (for services; the API reads them through aftercare_settings_get)."""
    row = AftercareSettings.objects.first()
    overrides = row.sla_minutes if row else {}
    return AftercareConfig(
        sla_minutes={kind: int(overrides.get(kind, minutes)) for kind, minutes in DEFAULT_SLA_MINUTES.items()},
        compensation_approval_threshold=(
            row.compensation_approval_threshold
            if row and row.compensation_approval_threshold is not None
            else DEFAULT_THRESHOLD
        ),
        compensation_threshold_currency=(row.compensation_threshold_currency if row else "") or DEFAULT_CURRENCY,
    )


def aftercare_settings_get(*, actor: Principal) -> AftercareConfig:
    check_permission(actor, "cases.read")
    return aftercare_config()


def check_currency(errors: ErrorList, value: str, field: str) -> str:
    value = value.strip().upper()
    if not (len(value) == 3 and value.isascii() and value.isalpha()):
        errors.add(field, f"{field} is a three-letter ISO 4217 code such as CNY, HKD or USD.")
    return value


def check_amount(errors: ErrorList, value: Decimal, field: str) -> None:
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        errors.add(field, f"{field} is an amount from 0 to {MAX_AMOUNT} with at most two decimals.")


@transaction.atomic
def aftercare_settings_update(
    *,
    actor: Principal,
    sla_minutes: dict[str, Any] = UNSET,
    compensation_approval_threshold: Decimal = UNSET,
    compensation_threshold_currency: str = UNSET,
) -> AftercareConfig:
    """Change the settings; `sla_minutes` names the types it changes (others keep theirs)."""
    check_permission(actor, "sla.manage")
    errors = ErrorList()
    if sla_minutes is not UNSET and not isinstance(sla_minutes, dict):
        errors.add("sla_minutes", "sla_minutes maps follow-up types to minutes.")
    elif sla_minutes is not UNSET:
        for kind, minutes in sla_minutes.items():
            if kind not in FollowUpType.values:
                errors.add(
                    f"sla_minutes.{kind[:40]}", f"Unknown follow-up type; expected {', '.join(FollowUpType.values)}."
                )
            elif isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_SLA_MINUTES:
                errors.add(f"sla_minutes.{kind}", f"Minutes are a whole number from 1 to {MAX_SLA_MINUTES}.")
    if compensation_approval_threshold is not UNSET:
        check_amount(errors, compensation_approval_threshold, "compensation_approval_threshold")
    if compensation_threshold_currency is not UNSET:
        compensation_threshold_currency = check_currency(
            errors, compensation_threshold_currency, "compensation_threshold_currency"
        )
    errors.raise_if_any()
    row = AftercareSettings.objects.select_for_update().first() or AftercareSettings()
    if sla_minutes is not UNSET:
        row.sla_minutes = {**row.sla_minutes, **sla_minutes}
    if compensation_approval_threshold is not UNSET:
        row.compensation_approval_threshold = compensation_approval_threshold
    if compensation_threshold_currency is not UNSET:
        row.compensation_threshold_currency = compensation_threshold_currency
    row.updated_by = actor.name
    row.save()
    return aftercare_config()
