"""The GraphQL side of the permission choke point: resolvers get the caller here and pass it to services."""

from strawberry.types import Info

from tenants.identity.principals import Principal, check_permission


def principal_of(info: Info) -> Principal | None:
    principal = getattr(info.context.request, "principal", None)
    return principal if isinstance(principal, Principal) else None


def require(info: Info, permission: str) -> Principal:
    return check_permission(principal_of(info), permission)


def actor(info: Info) -> Principal:
    """The authenticated caller; services check the specific permission themselves."""
    return check_permission(principal_of(info), "tenant.read") if not _public(info) else require(info, "platform.read")


def _public(info: Info) -> bool:
    return getattr(info.context.request, "tenant", None) is None
