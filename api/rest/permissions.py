"""The REST side of the permission choke point: views declare permissions, check_permission decides."""

from typing import Any

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.principals import Principal, check_permission


class HasPermission(BasePermission):
    """Each view names `required_permissions = {action_or_method: permission}`; None means public."""

    def has_permission(self, request: Request, view: Any) -> bool:
        method = (request.method or "get").lower()
        # DRF checks permissions before it looks for a handler: a method the view does not serve is its 405 to give.
        if method == "options" or method not in view.http_method_names or not hasattr(view, method):
            raise MethodNotAllowed(request.method or "")
        permission = declared_permission(view, method)
        if permission is None:
            return True
        principal = request.user if isinstance(request.user, Principal) else None
        check_permission(principal, permission)
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
