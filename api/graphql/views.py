"""The GraphQL endpoint: authenticates like REST, parses the request with limits, renders errors in the shared shape.

Checks that need only the HTTP request (sizes, encoding, JSON bounds, broken text in variables) run here, before
graphql-core sees the document; checks on the document itself are validation rules (api/graphql/limits.py).
"""

import logging
from typing import Any

from cross_web import HTTPException, SyncHTTPRequestAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from api.authentication import request_principal
from api.graphql.limits import BROKEN_TEXT
from config import jsonsafe
from config.errors import ApplicationError, PayloadTooLargeError, ValidationError
from config.unicode import find_broken_text

logger = logging.getLogger(__name__)


def format_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    body: dict[str, Any] = {"message": error.message, "path": error.path}
    if isinstance(original, ApplicationError):
        body["extensions"] = original.as_dict()
    elif original is None or (error.path is None and error.locations):
        # Parse and validation errors (syntax, unknown field, depth limit) are the caller's to fix, also when a
        # literal made the parser raise (an Int literal of 5,000 digits is a ValueError in int()).
        body["extensions"] = {"code": "graphql_validation", "message": error.message, "field": None}
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations or []]
    else:
        logger.error("unhandled error in GraphQL resolver", exc_info=original)
        body["message"] = "Internal error."
        body["extensions"] = {"code": "internal_error", "message": "Internal error.", "field": None}
    return body


def refusal_status(result: ExecutionResult) -> int | None:
    """A document refused before execution (no data, no error at a path) is a 4xx, not a 200 with errors."""
    if result.data is not None or not result.errors or any(error.path for error in result.errors):
        return None
    for error in result.errors:
        if isinstance(error.original_error, ApplicationError):
            return error.original_error.status_code
    return 400


def _error_response(exc: ApplicationError, status: int | None = None) -> JsonResponse:
    body = {"errors": [{"message": exc.message, "extensions": exc.as_dict()}]}
    return JsonResponse(body, status=status or exc.status_code)


def _check_storable(request_data: GraphQLRequestData) -> None:
    limit = settings.GRAPHQL_MAX_QUERY_BYTES
    size = len((request_data.query or "").encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise PayloadTooLargeError(f"The GraphQL query is {size} bytes; the limit is {limit} bytes.", field="query")
    broken = (
        find_broken_text(request_data.query, "query")
        or find_broken_text(request_data.operation_name, "operationName")
        or find_broken_text(request_data.variables, "variables")
        or find_broken_text(request_data.extensions, "extensions")
    )
    if broken:
        raise ValidationError(BROKEN_TEXT, field=broken, code="invalid_encoding")


@method_decorator(csrf_exempt, name="dispatch")
class VigilGraphQLView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" or "query" in request.GET:
            try:
                request.principal = request_principal(request)  # type: ignore[attr-defined]
            except ApplicationError as exc:
                return _error_response(exc)
        try:
            return self.run(request=request)
        except ApplicationError as exc:
            return _error_response(exc)
        except HTTPException as exc:
            # strawberry's own refusals (wrong method or content type, a mutation over GET) in our shape too.
            if exc.status_code == 405:
                response = _error_response(ApplicationError(exc.reason, code="method_not_allowed"), 405)
                response["Allow"] = "GET, POST"
                return response
            return _error_response(ApplicationError(exc.reason, code="bad_request"), exc.status_code)

    def parse_http_body(self, request: SyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        django_request: HttpRequest = getattr(request, "request")  # noqa: B009 (not on the adapter's protocol)
        if request.method == "POST":
            raw = django_request.body
            limit = settings.GRAPHQL_MAX_QUERY_BYTES
            if getattr(django_request, "principal", None) is None and len(raw) > limit:
                # Nothing an anonymous caller may do needs large variables; ingest does, and it needs credentials.
                raise PayloadTooLargeError(
                    f"Request body is {len(raw)} bytes; the limit without credentials is {limit} bytes.", field="body"
                )
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                # The adapter decodes the body itself and would raise; say where the bad byte is instead.
                raise ValidationError(
                    f"Request body is not valid UTF-8 (byte {exc.start}).", field="body", code="invalid_encoding"
                ) from None
        parsed = super().parse_http_body(request)
        for request_data in parsed if isinstance(parsed, list) else [parsed]:
            _check_storable(request_data)
        return parsed

    def parse_json(self, data: str | bytes) -> Any:
        return jsonsafe.loads(data, field="body")

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        parsed = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                parsed[name] = jsonsafe.loads(parsed[name], field=name)
        return parsed

    def execute_operation(
        self, request: HttpRequest, context: Any, root_value: Any, sub_response: Any
    ) -> ExecutionResult | list[ExecutionResult]:
        result = super().execute_operation(request, context, root_value, sub_response)
        if isinstance(result, ExecutionResult):
            sub_response.status_code = refusal_status(result)
        return result

    def process_result(self, request: HttpRequest, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [format_error(error) for error in result.errors]
        return data
