"""`billing.*` events to the tenant's own notification channels (tenants/notifications), queued in the transaction
of the change: deliveries are rows written with it and sent after commit, so a change that rolls back tells no one.
The platform's side is its billing admins, mailed each status and plan change after the same commit.

The tenant is told what happened and what comes next (when a past-due workspace is suspended, when a canceled one
is purged); a platform billing admin who made the change is not named to the tenant (`by: billing_admin`)."""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from config.timestamps import format_timestamp
from tenants.billing.models import BillingAccount, BillingStatus, Plan
from tenants.identity.models import User
from tenants.identity.principals import Principal
from tenants.identity.roles import Role
from tenants.identity.tasks import account_mail_send
from tenants.models import Tenant
from tenants.notifications.services import notify

logger = logging.getLogger(__name__)

WHAT_IT_MEANS = {
    BillingStatus.TRIALING: "The workspace is on a trial.",
    BillingStatus.ACTIVE: "Billing is settled: the workspace is active.",
    BillingStatus.PAST_DUE: (
        "A payment is due. Settle it by {suspend_at} or the workspace is suspended (reads, exports and ingest go on; "
        "other changes are refused)."
    ),
    BillingStatus.SUSPENDED: (
        "The workspace is suspended for an unpaid bill: reads, exports and ingest go on, other changes are refused "
        "until billing is settled."
    ),
    BillingStatus.CANCELED: (
        "The subscription is canceled. The workspace and all its data are deleted on {purge_at} unless it is "
        "reactivated before then."
    ),
}


def _plan(plan: Plan) -> dict[str, str]:
    return {"code": plan.code, "name": plan.name}


def suspend_at(account: BillingAccount) -> Any:
    """When a past-due account is suspended if it is not settled first; None in any other status."""
    if account.status != BillingStatus.PAST_DUE:
        return None
    return account.status_changed_at + timedelta(days=settings.BILLING_GRACE_DAYS)


def _account(account: BillingAccount, *, reason: str, actor: Principal) -> dict[str, Any]:
    return {
        "status": account.status,
        "plan": _plan(account.plan),
        "reason": reason,
        "by": "billing_admin" if actor.kind == "user" else "system",
        "at": timezone.now(),
        "trial_end": account.trial_end,
        "suspend_at": suspend_at(account),
        "purge_at": account.purge_at,
    }


def _when(value: Any) -> str:
    return format_timestamp(value) if value is not None else "-"


def _notify(account: BillingAccount, *, event_type: str, data: dict[str, Any], title: str, text: str) -> None:
    with tenant_context(account.tenant):
        notify(event_type=event_type, data=data, title=title, text=text)
    _mail_platform_after_commit(
        f"[Vigil platform] {account.tenant.slug}: {title.removeprefix('Billing: ')}",
        f"Tenant {account.tenant.slug} ({account.tenant.name}), {event_type}:\n{text}\n",
    )


def _mail_platform_after_commit(subject: str, body: str) -> None:
    """Every active billing admin of the platform, by email, once the transaction commits."""
    with schema_context("public"):
        emails = list(User.objects.filter(role=Role.BILLING_ADMIN, is_active=True).values_list("email", flat=True))
    _send_after_commit(subject, body, emails)


def _send_after_commit(subject: str, body: str, emails: list[str]) -> None:
    def send() -> None:
        for email in emails:
            try:
                account_mail_send.delay(subject, body, email)
            except Exception:
                logger.warning("could not enqueue a billing mail", exc_info=True)

    transaction.on_commit(send)


def status_changed_notify(*, account: BillingAccount, from_status: str, reason: str, actor: Principal) -> None:
    """Call after the account has its new status (and its suspend or purge time)."""
    data = {"from_status": from_status, **_account(account, reason=reason, actor=actor)}
    label = BillingStatus(account.status).label.lower()
    meaning = WHAT_IT_MEANS[BillingStatus(account.status)].format(
        suspend_at=_when(data["suspend_at"]), purge_at=_when(account.purge_at)
    )
    _notify(
        account,
        event_type="billing.status_changed",
        data=data,
        title=f"Billing: {label}",
        text=f"{meaning} ({BillingStatus(from_status).label.lower()} → {label}: {reason})",
    )


def plan_changed_notify(*, account: BillingAccount, from_plan: Plan, reason: str, actor: Principal) -> None:
    """Call after the account is on its new plan."""
    data = {
        "from_plan": _plan(from_plan),
        "limits": account.plan.limits,
        "features": account.plan.features,
        **_account(account, reason=reason, actor=actor),
    }
    _notify(
        account,
        event_type="billing.plan_changed",
        data=data,
        title=f"Billing: now on the {account.plan.name} plan",
        text=f"The workspace moved from the {from_plan.name} plan to the {account.plan.name} plan; its limits and "
        f"features apply at once ({reason}).",
    )


def _mail_admins_after_commit(subject: str, body: str) -> None:
    """The current tenant's active admins, by email, once the transaction commits."""
    emails = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True))
    _send_after_commit(subject, body, emails)


def quota_notify(
    *,
    tenant: Tenant,
    percent: int,
    limit_name: str,
    limit: int,
    used: int,
    rejected: int,
    period_start: date,
    reset_at: datetime,
) -> None:
    """`billing.quota_warning` (80%) or `billing.quota_reached` (100%) to the tenant's channels and admins; call in
    the tenant's schema, in the transaction that used the quota."""
    account = BillingAccount.objects.select_related("plan").get(tenant=tenant)
    reached = percent >= 100
    data = {
        "limit": {"name": limit_name, "value": limit},
        "used": used,
        "percent": percent,
        "rejected": rejected,
        "plan": _plan(account.plan),
        "period_start": period_start.isoformat(),
        "reset_at": reset_at,
    }
    if reached:
        title = "Billing: monthly mention quota reached"
        text = (
            f"The workspace stored {used} of the {limit} mentions its {account.plan.name} plan allows this month "
            f"({limit_name}); further mentions are rejected with quota_exceeded until {_when(reset_at)}. Move to a "
            "larger plan to keep ingesting."
        )
    else:
        title = f"Billing: {percent}% of the monthly mention quota used"
        text = (
            f"The workspace stored {used} of the {limit} mentions its {account.plan.name} plan allows this month "
            f"({limit_name}); at {limit} further mentions are rejected until {_when(reset_at)}."
        )
    event_type = "billing.quota_reached" if reached else "billing.quota_warning"
    with tenant_context(tenant):
        notify(event_type=event_type, data=data, title=title, text=text)
        _mail_admins_after_commit(f"[Vigil] {tenant.name}: {title.removeprefix('Billing: ')}", text + "\n")
