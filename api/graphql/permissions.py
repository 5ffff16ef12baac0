"""The GraphQL face asks only for an authenticated caller; the services decide what the caller may do."""

from strawberry.types import Info

from api.principals import Principal
from config.errors import NotAuthenticatedError


def actor(info: Info) -> Principal:
    """The authenticated caller (of this tenant: authentication refused other tenants' credentials)."""
    principal = getattr(info.context.request, "principal", None)
    if not isinstance(principal, Principal):
        raise NotAuthenticatedError("Authentication credentials were not provided.")
    return principal
