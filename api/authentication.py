"""Reads the credentials a request carries and has identity verify them. Shared by DRF and the GraphQL view."""

from django.http import HttpRequest

from config.errors import ApplicationError, AuthenticationFailedError
from tenants.identity.principals import Principal
from tenants.identity.services import principal_from_api_key
from tenants.identity.tokens import principal_from_bearer


def principal_from_request(request: HttpRequest) -> Principal | None:
    """None when no credentials were sent; raises when credentials were sent but are bad."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return principal_from_bearer(value)
    if scheme.lower() == "api-key" and value:
        return principal_from_api_key(value)
    raise AuthenticationFailedError(
        "Authorization header must be 'Bearer <token>' or 'Api-Key <key>'.", field="Authorization"
    )


def request_principal(request: HttpRequest) -> Principal | None:
    """principal_from_request, looked up once per request: the rate limiter and the API faces share it."""
    cached = request.__dict__.get("_vigil_principal", _UNRESOLVED)
    if cached is _UNRESOLVED:
        try:
            cached = principal_from_request(request)
        except ApplicationError as exc:
            cached = exc
        request.__dict__["_vigil_principal"] = cached
    if isinstance(cached, ApplicationError):
        raise cached
    assert cached is None or isinstance(cached, Principal)
    return cached


_UNRESOLVED = object()
