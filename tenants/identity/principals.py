"""Who is calling: one shape for people and API keys, and the one permission check both faces use."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from config.errors import NotAuthenticatedError, PermissionDeniedError
from tenants.identity.models import ApiKey, User
from tenants.identity.roles import role_has_permission


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "api_key", "system"]
    id: int
    name: str
    role: str
    tenant_slug: str | None
    user: User | None = None
    api_key: ApiKey | None = None

    # DRF and Django treat any object with these attributes as a logged-in caller.
    is_authenticated = True
    is_anonymous = False

    @classmethod
    def for_user(cls, user: User, tenant_slug: str | None) -> "Principal":
        return cls(
            kind="user", id=user.pk, name=user.name or user.email, role=user.role, tenant_slug=tenant_slug, user=user
        )

    @classmethod
    def for_api_key(cls, key: ApiKey, tenant_slug: str | None) -> "Principal":
        return cls(kind="api_key", id=key.pk, name=key.name, role=key.role, tenant_slug=tenant_slug, api_key=key)


# Management commands and internal workflows act as SYSTEM; no request can produce it.
SYSTEM = Principal(kind="system", id=0, name="system", role="admin", tenant_slug=None)


# Checks beyond the role that apps above identity register (billing refuses writes of a suspended tenant); each
# raises an ApplicationError to refuse.
PermissionGuard = Callable[[Principal, str], None]
_guards: list[PermissionGuard] = []


def permission_guard_register(guard: PermissionGuard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def check_permission(principal: Principal | None, permission: str) -> Principal:
    """Raise unless the caller holds the permission; the choke point for REST and GraphQL alike."""
    if principal is None:
        raise NotAuthenticatedError("Authentication credentials were not provided.")
    if principal is SYSTEM:
        return principal
    if not role_has_permission(principal.role, permission):
        raise PermissionDeniedError(f"Role '{principal.role}' may not {permission}.", code="permission_denied")
    permission_guards_check(principal, permission)
    return principal


def permission_guards_check(principal: Principal, permission: str) -> None:
    """The registered guards, for checks that grant by something other than the tenant role (case roles)."""
    if principal is SYSTEM:
        return
    for guard in _guards:
        guard(principal, permission)
