"""A suspended tenant keeps its reads, exports and ingest, and loses every other write until it is resumed; so
does a canceled one while its data waits for the purge.

Ingest goes on so no mention is lost while a bill is late (the warning engine does not alert for the tenant:
`alerting_paused`); billing itself stays open, so an admin can pay or subscribe again."""

from config.errors import PaymentRequiredError
from tenants.billing.models import BillingAccount, BillingStatus
from tenants.context import current_tenant
from tenants.identity.principals import Principal

# Writes a suspended tenant may still make.
# An erase of personal data on request is owed whatever the bill.
ALLOWED_WHILE_SUSPENDED = frozenset({"mentions.write", "billing.manage", "contacts.erase"})


_HELD = (BillingStatus.SUSPENDED, BillingStatus.CANCELED)
_WHY = {
    BillingStatus.SUSPENDED: "This tenant is suspended for an unpaid bill",
    BillingStatus.CANCELED: "This tenant's subscription is canceled",
}


def _held() -> str | None:
    """The current tenant's status when it holds writes back (suspended or canceled), else None."""
    tenant = current_tenant()
    if tenant is None:
        return None
    return BillingAccount.objects.filter(tenant=tenant, status__in=_HELD).values_list("status", flat=True).first()


def refuse_writes_while_suspended(principal: Principal, permission: str) -> None:
    """The permission guard (tenants.identity.principals): reads pass, writes of a suspended tenant are a 402."""
    if permission.endswith(".read") or permission in ALLOWED_WHILE_SUSPENDED:
        return
    status = _held()
    if status is not None:
        raise PaymentRequiredError(
            f"{_WHY[BillingStatus(status)]}: reads and exports work, other changes are refused until billing is "
            "settled."
        )


def alerting_paused() -> bool:
    """Whether the warning engine holds its alerts for the current tenant (suspended: mentions still stored)."""
    return _held() is not None
