"""Renders every REST error in one shape: {"error": {"code", "message", "field"[, "details"]}}."""

from typing import Any

from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from config.errors import ApplicationError, TooManyRequestsError


class ErrorFieldSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The input at fault, as a path: `items[2].text`, `content.tasks[0]`.")
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable and machine-readable: `invalid`, `not_found`, `permission_denied`, `invalid_transition`…"
    )
    message = serializers.CharField(help_text="For people; may change between releases.")
    field = serializers.CharField(
        allow_null=True, help_text="The body field, query parameter or header at fault (the first one), or null."
    )
    details = ErrorFieldSerializer(
        many=True, required=False, help_text="Every field problem, when a request has several (400s only)."
    )


class ErrorSerializer(serializers.Serializer):
    """The one error body of every REST answer from 400 up (OpenAPI component `Error`)."""

    error = ErrorBodySerializer()


def _first_field_error(detail: Any, path: str = "") -> tuple[str, str]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            return _first_field_error(value, name)
    if isinstance(detail, list) and detail:
        for index, value in enumerate(detail):
            if value:
                nested = isinstance(value, (dict, list))
                return _first_field_error(value, f"{path}[{index}]" if nested else path)
    return path, str(detail)


def _flatten(detail: Any, path: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = path if key == "non_field_errors" else (f"{path}.{key}" if path else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            out.extend(_flatten(value, f"{path}[{index}]" if nested else path))
        return out
    return [{"field": path, "message": str(detail)}]


def error_response(
    code: str,
    message: str,
    status_code: int,
    field: str | None = None,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message, "field": field or None}
    if details:
        body["details"] = details
    return Response({"error": body}, status=status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, TooManyRequestsError):
            headers = {"Retry-After": str(exc.retry_after)}
        return Response({"error": exc.as_dict()}, status=exc.status_code, headers=headers)
    if isinstance(exc, Http404):
        return error_response("not_found", "Not found.", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_field_error(exc.detail)
        return error_response("invalid", message, status.HTTP_400_BAD_REQUEST, field, _flatten(exc.detail))
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        headers = {}
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            headers["WWW-Authenticate"] = "Bearer"
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return error_response(str(code), str(message), exc.status_code, headers=headers or None)
    return None


def _json_error(code: str, message: str, status_code: int, field: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": field}}, status=status_code)


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 400s (an unknown Host, too many fields, a BadRequest) in the error shape."""
    if isinstance(exception, DisallowedHost):
        # The request's Host header is exactly what failed: read it raw, never through get_host().
        host = request.META.get("HTTP_HOST", "")[:100]
        return _json_error("bad_host", f"Host '{host}' is not served here.", 400, "Host")
    return _json_error("bad_request", "The request could not be understood.", 400)


def permission_denied_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error("permission_denied", "You may not do this.", 403)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error("not_found", f"No route for {request.path}.", 404)


def server_error_view(request: HttpRequest) -> JsonResponse:
    return _json_error("internal_error", "Internal error.", 500)


# What a framework error without a body of ours says (Django's own 405 from a plain view, a 406, a proxy's 502).
_STATUS_CODES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method {method} is not allowed here."),
    406: ("not_acceptable", "No acceptable response format; this API answers application/json."),
    413: ("payload_too_large", "Request body is too large."),
    415: ("unsupported_media_type", "Unsupported content type."),
}


def framework_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The response in the error shape when it is an error whose body is not JSON; anything else unchanged."""
    if (
        response.status_code < 400
        or response.streaming
        or response.get("Content-Type", "").startswith("application/json")
    ):
        return response
    code, message = _STATUS_CODES.get(
        response.status_code, ("internal_error", "Internal error.") if response.status_code >= 500 else ("error", "")
    )
    message = message.format(method=request.method) or response.reason_phrase
    text = response.content.decode("utf-8", "replace").strip()
    if response.get("Content-Type", "").startswith("text/plain") and 0 < len(text) <= 300:
        message = text  # a framework's own one-line reason says more than ours
    shaped = _json_error(code, message, response.status_code)
    # Allow, Retry-After, CORS and the like still apply; only the body and its description change.
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            shaped[header] = value
    return shaped
