"""The one REST list envelope: `{"results": [...], "next_cursor": ..., "previous_cursor": ...}`.

Lists keep the order their selector gives (config.keyset adds the `id` tie-break); a view's `ordering_fields` lets
`?ordering=field` or `?ordering=-field` replace it on its main list.
"""

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import ValidationError
from config.keyset import Page, keyset_page, sequence_page
from config.validation import bounded_int

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def ordering_choices(view: Any) -> list[str]:
    """What `ordering` takes on this view's operation: its main list only, each field up or down."""
    if getattr(view, "action", None) != "list":
        return []
    return [choice for name in getattr(view, "ordering_fields", ()) for choice in (name, f"-{name}")]


def _ordered(queryset: QuerySet[Any], request: Request, view: Any) -> QuerySet[Any]:
    raw = request.query_params.get("ordering", "")
    if not raw:
        return queryset
    choices = ordering_choices(view)
    if raw not in choices:
        allowed = ", ".join(choices) or "nothing (this list has one order)"
        raise ValidationError(f"Cannot order by '{raw[:100]}'; expected one of {allowed}.", field="ordering")
    return queryset.order_by(raw)


class KeysetPagination(BasePagination):
    def page_size(self, request: Request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None or raw == "":
            return DEFAULT_PAGE_SIZE
        return bounded_int(raw, field="page_size", minimum=1, maximum=MAX_PAGE_SIZE)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        size = self.page_size(request)
        cursor = request.query_params.get("cursor", "")
        self.page: Page[Any]
        if isinstance(queryset, QuerySet):
            self.page = keyset_page(_ordered(queryset, request, view), size=size, cursor=cursor)
        else:
            self.page = sequence_page(list(queryset), size=size, cursor=cursor)
        return self.page.items

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"results": data, "next_cursor": self.page.next_cursor, "previous_cursor": self.page.previous_cursor}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        cursor = {"type": "string", "nullable": True}
        return {
            "type": "object",
            "required": ["results", "next_cursor", "previous_cursor"],
            "properties": {
                "results": schema,
                "next_cursor": {**cursor, "description": "Pass as `cursor` for the next page; null on the last."},
                "previous_cursor": {**cursor, "description": "Pass as `cursor` for the page before; null on the 1st."},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "A `next_cursor` or `previous_cursor` from an earlier page.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Items per page, 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            },
        ]
        choices = ordering_choices(view)
        if choices:
            parameters.append(
                {
                    "name": "ordering",
                    "in": "query",
                    "required": False,
                    "description": "Sort by this field (`-field`: descending); ties go by id.",
                    "schema": {"type": "string", "enum": choices},
                }
            )
        return parameters
