"""Plans and billing accounts: opening an account with a new tenant, changing plan and status (each status change
recorded in the history and the audit log)."""

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.errors import ConflictError, ErrorList, NotFoundError
from config.timestamps import format_timestamp
from tenants.audit.services import audit_record
from tenants.billing.events import plan_changed_notify, status_changed_notify
from tenants.billing.models import FEATURE_KEYS, LIMIT_KEYS, BillingAccount, BillingStatus, Plan, StatusChange
from tenants.identity.principals import Principal, check_permission
from tenants.models import Tenant

CODE_PATTERN = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
MAX_LIMIT = 2**31 - 1


def plan_for_code(errors: ErrorList, code: str, *, field: str = "plan") -> Plan | None:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True)) or "none"
        errors.add(field, f"No plan '{code[:50]}'; plans: {known}.")
    return plan


def account_open(*, tenant: Tenant, plan: Plan) -> BillingAccount:
    """A new tenant's account: on `plan`, trialing until the trial ends (BILLING_TRIAL_DAYS)."""
    account = BillingAccount.objects.create(
        tenant=tenant,
        plan=plan,
        status=BillingStatus.TRIALING,
        trial_end=timezone.now() + timedelta(days=settings.BILLING_TRIAL_DAYS),
    )
    StatusChange.objects.create(
        account=account, from_status="", to_status=account.status, reason="tenant created", actor_name="system"
    )
    return account


def status_set(*, account: BillingAccount, status: str, reason: str, actor: Principal) -> bool:
    """Move the account to `status`, recording the change (history, audit log) and telling the tenant's channels
    (`billing.status_changed`); False (and nothing written) when it is already there. The caller saves the account.

    Entering `canceled` schedules the purge BILLING_RETENTION_DAYS later; leaving it calls the purge off."""
    if account.status == status:
        return False
    from_status = account.status
    StatusChange.objects.create(
        account=account, from_status=from_status, to_status=status, reason=reason, actor_name=actor.name
    )
    now = timezone.now()
    account.status = status
    account.status_changed_at = now
    if status == BillingStatus.CANCELED:
        account.purge_at = now + timedelta(days=settings.BILLING_RETENTION_DAYS)
    elif account.purge_at is not None:
        account.purge_at = None
    details: dict[str, Any] = {"from": from_status, "to": status, "reason": reason}
    if account.purge_at is not None:
        details["purge_at"] = format_timestamp(account.purge_at)
    audit_record(actor=actor, action="billing.status_changed", target=account.tenant, details=details)
    status_changed_notify(account=account, from_status=from_status, reason=reason, actor=actor)
    return True


def plan_set(*, account: BillingAccount, plan: Plan, reason: str, actor: Principal) -> bool:
    """Put the account on `plan` (its limits apply at once), recording it in the audit log and telling the tenant's
    channels (`billing.plan_changed`); False when it is already on it. The caller saves the account."""
    if plan.pk == account.plan_id:
        return False
    from_plan = account.plan
    audit_record(
        actor=actor,
        action="billing.plan_changed",
        target=account.tenant,
        details={"from": from_plan.code, "to": plan.code, "reason": reason},
    )
    account.plan = plan
    plan_changed_notify(account=account, from_plan=from_plan, reason=reason, actor=actor)
    return True


def _validate_limits(errors: ErrorList, limits: Any) -> dict[str, int | None]:
    if not isinstance(limits, dict):
        errors.add("limits", "Limits are an object of limit names and whole numbers (null: unlimited).")
        return {}
    clean: dict[str, int | None] = {}
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            errors.add(f"limits.{key}"[:100], f"Unknown limit; expected one of {', '.join(LIMIT_KEYS)}.")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIMIT
        ):
            errors.add(f"limits.{key}", f"A limit is a whole number from 0 to {MAX_LIMIT}, or null for unlimited.")
        elif value is not None:
            clean[key] = value
    return clean


def _validate_features(errors: ErrorList, features: Any) -> dict[str, bool]:
    if not isinstance(features, dict):
        errors.add("features", "Features are an object of feature names and true or false.")
        return {}
    for key, value in features.items():
        if key not in FEATURE_KEYS:
            errors.add(f"features.{key}"[:100], f"Unknown feature; expected one of {', '.join(FEATURE_KEYS)}.")
        elif not isinstance(value, bool):
            errors.add(f"features.{key}", "A feature is true or false.")
    return dict(features)


def _validate_plan_fields(errors: ErrorList, fields: dict[str, Any]) -> dict[str, Any]:
    clean = dict(fields)
    if "name" in fields and not str(fields["name"]).strip():
        errors.add("name", "Name is required.")
    if "limits" in fields:
        clean["limits"] = _validate_limits(errors, fields["limits"])
    if "features" in fields:
        clean["features"] = _validate_features(errors, fields["features"])
    price = fields.get("monthly_price_cents", 0)
    if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price <= MAX_LIMIT:
        errors.add("monthly_price_cents", f"A price is a whole number of cents from 0 to {MAX_LIMIT}.")
    if "currency" in fields and not re.fullmatch(r"[a-z]{3}", str(fields["currency"])):
        errors.add("currency", "A currency is an ISO 4217 code in lowercase, such as usd.")
    return clean


@transaction.atomic
def plan_create(
    *,
    actor: Principal,
    code: str,
    name: str,
    stripe_base_price_id: str = "",
    stripe_metered_price_id: str = "",
    limits: dict[str, Any] | None = None,
    features: dict[str, Any] | None = None,
    monthly_price_cents: int = 0,
    currency: str = "usd",
) -> Plan:
    check_permission(actor, "platform.manage")
    errors = ErrorList()
    fields = _validate_plan_fields(
        errors,
        {
            "name": name,
            "stripe_base_price_id": stripe_base_price_id,
            "stripe_metered_price_id": stripe_metered_price_id,
            "limits": limits or {},
            "features": features or {},
            "monthly_price_cents": monthly_price_cents,
            "currency": currency,
        },
    )
    errors.raise_if_any()
    if Plan.objects.filter(code=code).exists():
        raise ConflictError(f"Plan '{code}' already exists.", field="code")
    plan = Plan.objects.create(code=code, **fields)
    audit_record(actor=actor, action="plan.created", target=plan, details={"code": code})
    return plan


@transaction.atomic
def plan_update(*, actor: Principal, code: str, **changes: Any) -> Plan:
    """Edit a plan; every tenant on it has the new limits and features at once (they are read from the plan)."""
    check_permission(actor, "platform.manage")
    plan = Plan.objects.select_for_update().filter(code=code).first()
    if plan is None:
        raise NotFoundError(f"No plan '{code}'.", field="code")
    errors = ErrorList()
    fields = _validate_plan_fields(errors, changes)
    errors.raise_if_any()
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    audit_record(actor=actor, action="plan.updated", target=plan, details={"fields": sorted(fields)})
    return plan


UNSET: Any = object()
# What a billing admin may set `status` to: suspend, and resume (to active).
ADMIN_STATUSES = (BillingStatus.SUSPENDED, BillingStatus.ACTIVE)


@transaction.atomic
def platform_tenant_update(
    *,
    actor: Principal,
    slug: str,
    plan: str | None = None,
    status: str | None = None,
    trial_end: datetime | None = UNSET,
) -> BillingAccount:
    check_permission(actor, "platform.manage")
    account = (
        BillingAccount.objects.select_for_update().select_related("tenant", "plan").filter(tenant__slug=slug).first()
    )
    if account is None:
        raise NotFoundError(f"No tenant '{slug}'.", field="slug")
    errors = ErrorList()
    new_plan = plan_for_code(errors, plan) if plan is not None else None
    if status is not None and status not in ADMIN_STATUSES:
        errors.add("status", "Status is 'suspended' (suspend) or 'active' (resume).")
    errors.raise_if_any()
    if status == BillingStatus.SUSPENDED and account.status == BillingStatus.CANCELED:
        raise ConflictError(
            "A canceled tenant cannot be suspended; resume it (status 'active') to call its purge off.",
            field="status",
            code="canceled",
        )
    if new_plan is not None:
        plan_set(account=account, plan=new_plan, reason="changed by a billing admin", actor=actor)
    if status is not None:
        if status == BillingStatus.SUSPENDED:
            reason = "suspended by a billing admin"
        elif account.status == BillingStatus.CANCELED:
            reason = "reactivated by a billing admin before the purge"
        else:
            reason = "resumed by a billing admin"
        status_set(account=account, status=status, reason=reason, actor=actor)
    if trial_end is not UNSET:
        account.trial_end = trial_end
    account.save()
    return account
