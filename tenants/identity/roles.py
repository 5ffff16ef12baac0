"""Tenant roles and the permissions each grants tenant-wide, checked by the services (never by the API faces).

On a case, case roles grant more to their holders (responses.team.CASE_ACTIONS); statement approvals go by case
role alone."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ANALYST = "analyst", "Analyst"
    RESPONDER = "responder", "Responder"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"
    # Lives in the public schema only: manages tenants and billing, never a tenant's data.
    BILLING_ADMIN = "billing_admin", "Billing admin"


TENANT_ROLES = frozenset({Role.ADMIN, Role.ANALYST, Role.RESPONDER, Role.APPROVER, Role.VIEWER})
_EVERYONE = TENANT_ROLES

PERMISSIONS: dict[str, frozenset[Role]] = {
    "tenant.read": _EVERYONE,
    "users.read": frozenset({Role.ADMIN}),
    "users.manage": frozenset({Role.ADMIN}),
    "api_keys.read": frozenset({Role.ADMIN}),
    "api_keys.manage": frozenset({Role.ADMIN}),
    "platform.read": frozenset({Role.BILLING_ADMIN}),
    "platform.manage": frozenset({Role.BILLING_ADMIN}),
    # A tenant's own plan, invoices and payment: its admins.
    "billing.read": frozenset({Role.ADMIN}),
    "billing.manage": frozenset({Role.ADMIN}),
    "mentions.read": _EVERYONE,
    "mentions.write": frozenset({Role.ADMIN, Role.ANALYST}),
    "rules.read": _EVERYONE,
    "rules.manage": frozenset({Role.ADMIN, Role.ANALYST}),
    "warning.read": _EVERYONE,
    "warning.manage": frozenset({Role.ADMIN, Role.ANALYST}),
    "alerts.act": frozenset({Role.ADMIN, Role.ANALYST, Role.RESPONDER}),
    "cases.read": _EVERYONE,
    "cases.work": frozenset({Role.ADMIN, Role.ANALYST, Role.RESPONDER}),
    "cases.command": frozenset({Role.ADMIN, Role.ANALYST}),
    "sla.manage": frozenset({Role.ADMIN}),
    # Affected users' contact details (personal data): who works with the people reads them (each read is audited);
    # erasing a person on request is an admin's. On a case, case roles add to both (responses.team).
    "contacts.read": frozenset({Role.ADMIN, Role.RESPONDER}),
    "contacts.erase": frozenset({Role.ADMIN}),
    # A compensation above the tenant's threshold is money: admins and approvers (and a case's commander) decide.
    "compensation.approve": frozenset({Role.ADMIN, Role.APPROVER}),
    "scripts.manage": frozenset({Role.ADMIN, Role.ANALYST}),
    "scripts.approve": frozenset({Role.ADMIN, Role.APPROVER}),
    "playbooks.read": _EVERYONE,
    "playbooks.manage": frozenset({Role.ADMIN}),
    # The delivery log shows what receivers answered, so it is not for every role.
    "notifications.read": frozenset({Role.ADMIN, Role.ANALYST}),
    "notifications.manage": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.ADMIN}),
    # Dead letters quote the items they set aside (and the errors about them): admins only.
    "dead_letters.read": frozenset({Role.ADMIN}),
    "dead_letters.manage": frozenset({Role.ADMIN}),
}


def role_has_permission(role: str, permission: str) -> bool:
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None
    return role in allowed
