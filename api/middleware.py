from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.audit.context import request_origin
from api.authentication import request_principal
from api.ratelimit import api_request_hit, client_address
from config.errors import ApplicationError, PayloadTooLargeError, TooManyRequestsError


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them, in the shared error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            exc = PayloadTooLargeError(f"Request body is {length} bytes; the limit is {limit} bytes.", field="body")
            return JsonResponse({"error": exc.as_dict()}, status=exc.status_code)
        return self.get_response(request)


class AuditOriginMiddleware:
    """Audit entries written while a request is handled record its client address and user agent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_origin(request):
            return self.get_response(request)


class RateLimitMiddleware:
    """The API-wide request limit, for REST and GraphQL together, with RateLimit-* headers on every answer.

    Runs after tenant resolution (counters are per tenant) and before the views, so a caller over the limit costs
    one cache round trip and the credential lookup, which the views then reuse.
    """

    PREFIXES = ("/api/", "/graphql")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.PREFIXES):
            return self.get_response(request)
        try:
            principal = request_principal(request)
        except ApplicationError:
            # Bad credentials count against the client address; the view answers the 401 itself.
            principal = None
        window = api_request_hit(principal, client_address(request))
        if window.exceeded:
            exc = TooManyRequestsError(
                f"Rate limit of {window.limit} requests a minute reached; try again in {window.reset} seconds.",
                retry_after=window.reset,
            )
            body: dict[str, object] = {"error": exc.as_dict()}
            if request.path.startswith("/graphql"):
                body = {"errors": [{"message": exc.message, "extensions": exc.as_dict()}]}
            response: HttpResponse = JsonResponse(body, status=exc.status_code)
            response["Retry-After"] = str(window.reset)
        else:
            response = self.get_response(request)
        response["RateLimit-Limit"] = str(window.limit)
        response["RateLimit-Remaining"] = str(window.remaining)
        response["RateLimit-Reset"] = str(window.reset)
        return response
