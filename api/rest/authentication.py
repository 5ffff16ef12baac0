from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from api.authentication import request_principal
from tenants.identity.principals import Principal


def _principal(request: Request) -> Principal:
    principal = request_principal(request._request)
    assert principal is not None  # the scheme matched, so credentials were sent
    return principal


class _SchemeAuthentication(BaseAuthentication):
    scheme = ""

    def _credential(self, request: Request) -> str | None:
        scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != self.scheme.lower() or not value.strip():
            return None
        return value.strip()

    def authenticate_header(self, request: Request) -> str:
        return self.scheme


class JWTAuthentication(_SchemeAuthentication):
    scheme = "Bearer"

    def authenticate(self, request: Request) -> tuple[Principal, str] | None:
        raw = self._credential(request)
        return None if raw is None else (_principal(request), raw)


class ApiKeyAuthentication(_SchemeAuthentication):
    scheme = "Api-Key"

    def authenticate(self, request: Request) -> tuple[Principal, str] | None:
        raw = self._credential(request)
        return None if raw is None else (_principal(request), raw)
