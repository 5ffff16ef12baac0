"""The REST face asks only for an authenticated caller; the services decide what the caller may do."""

from typing import Any

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from config.errors import NotAuthenticatedError
from tenants.identity.principals import Principal


class IsAuthenticatedCaller(BasePermission):
    """A person or API key of the tenant the request is for (authentication already refused other tenants).

    Views that need no caller (login, health) set `permission_classes = []`.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        method = (request.method or "get").lower()
        # DRF checks permissions before it looks for a handler: a method the view does not serve is its 405 to give.
        if method == "options" or method not in view.http_method_names or not hasattr(view, method):
            raise MethodNotAllowed(request.method or "")
        if not isinstance(request.user, Principal):
            raise NotAuthenticatedError("Authentication credentials were not provided.")
        return True


def declared_permission(view: Any, method: str) -> str | None:
    """What the view declares for its action (or the method, or `*`); None means public. The OpenAPI schema reads
    it too, so an operation is documented as authenticated exactly when it is."""
    required: dict[str, str | None] = getattr(view, "required_permissions", {})
    key = getattr(view, "action", None) or method
    if key not in required:
        key = method
    if key not in required and "*" in required:
        key = "*"
    if key not in required:
        # Fail closed: an endpoint that forgot to declare its permission is unreachable, not open.
        raise LookupError(f"{type(view).__name__} declares no permission for {key!r}")
    return required[key]
