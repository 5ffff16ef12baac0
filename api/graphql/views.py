"""The GraphQL endpoint: authenticates like REST, then renders errors in the shared code/message/field shape."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.authentication import request_principal
from config.errors import ApplicationError

logger = logging.getLogger(__name__)


def format_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    body: dict[str, Any] = {"message": error.message, "path": error.path}
    if isinstance(original, ApplicationError):
        body["extensions"] = original.as_dict()
    elif original is None:
        # Parse and validation errors (syntax, unknown field, depth limit) are the caller's to fix.
        body["extensions"] = {"code": "graphql_validation", "message": error.message, "field": None}
        body["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations or []]
    else:
        logger.error("unhandled error in GraphQL resolver", exc_info=original)
        body["message"] = "Internal error."
        body["extensions"] = {"code": "internal_error", "message": "Internal error.", "field": None}
    return body


@method_decorator(csrf_exempt, name="dispatch")
class VigilGraphQLView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" or "query" in request.GET:
            try:
                request.principal = request_principal(request)  # type: ignore[attr-defined]
            except ApplicationError as exc:
                body = {"errors": [{"message": exc.message, "extensions": exc.as_dict()}]}
                return JsonResponse(body, status=exc.status_code)
        return super().dispatch(request, *args, **kwargs)

    def process_result(self, request: HttpRequest, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [format_error(error) for error in result.errors]
        return data
