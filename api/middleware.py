from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.audit.context import request_origin
from config.errors import PayloadTooLargeError


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
