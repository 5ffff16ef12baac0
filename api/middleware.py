from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.authentication import request_principal
from api.origin import origin_of
from api.ratelimit import api_request_hit, client_address
from api.rest.errors import framework_error
from config.errors import ApplicationError, PayloadTooLargeError, TooManyRequestsError, ValidationError
from tenants.audit.context import origin_set


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


class ErrorShapeMiddleware:
    """Outermost: a framework's own error page (Django's 405 or 400, a bare 406) leaves in the one JSON error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return framework_error(request, self.get_response(request))


def _query_problem(query_string: bytes) -> ValidationError | None:
    """The first query parameter that is not valid UTF-8 or holds a NUL, as the error that names it."""
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name, raw_value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in (name, value))
        try:
            field = raw_name.decode("utf-8")
            text = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            # Django would decode it with replacement characters, and `?q=%ff` would quietly search for nothing.
            field = raw_name.decode("utf-8", "replace")
            return ValidationError(
                f"Query parameter '{field[:100]}' is not valid UTF-8.", field=field[:100], code="invalid_encoding"
            )
        if "\x00" in field or "\x00" in text:
            return ValidationError(
                f"Query parameter '{field[:100]}' contains a NUL character.",
                field=field.replace("\x00", "")[:100],
                code="invalid_encoding",
            )
    return None


class QueryStringMiddleware:
    """Refuse a query string no filter could use (bad UTF-8, NUL) before any view parses it, naming the parameter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # WSGI hands the query string over as latin-1 text; its bytes are what the client sent.
        problem = _query_problem(request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace"))
        if problem is not None:
            return JsonResponse({"error": problem.as_dict()}, status=problem.status_code)
        return self.get_response(request)


class AuditOriginMiddleware:
    """Audit entries written while a request is handled record its client address and user agent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with origin_set(origin_of(request)):
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
