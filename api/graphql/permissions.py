"""The GraphQL face asks only for an authenticated caller; the services decide what the caller may do."""

from strawberry.types import Info

from config.errors import NotAuthenticatedError
from tenants.identity.principals import Principal


def actor(info: Info) -> Principal:
    """The authenticated caller (of this tenant: authentication refused other tenants' credentials)."""
    principal = getattr(info.context.request, "principal", None)
    if not isinstance(principal, Principal):
        raise NotAuthenticatedError("Authentication credentials were not provided.")
    return principal
