"""Renders every REST error in one shape: {"error": {"code", "message", "field"[, "details"]}}."""

from typing import Any

from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.errors import ApplicationError, TooManyRequestsError


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


def not_found_view(request: Any, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "not_found", "message": f"No route for {request.path}.", "field": None}}, status=404
    )


def server_error_view(request: Any) -> JsonResponse:
    return JsonResponse({"error": {"code": "internal_error", "message": "Internal error.", "field": None}}, status=500)
