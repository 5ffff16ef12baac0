"""One paging style for every GraphQL list: a Relay connection with `first` (default 50, at most 200) and `after`.

Connections are strawberry-django's keyset `DjangoCursorConnection`: a cursor holds the values of the list's own
ORDER BY (the selector's order, with `id` appended as the tie-break), so a page stays stable while rows arrive, and
nested connections are fetched for all parents at once by the optimizer. `first` is checked before anything runs
(api/graphql/limits.py); `before`/`last` are left out, since a default `first` would cut a backwards page short.
"""

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from strawberry.annotation import StrawberryAnnotation
from strawberry.relay import PageInfo
from strawberry.types.field import StrawberryField
from strawberry_django.fields.field import StrawberryDjangoConnectionExtension, StrawberryDjangoField
from strawberry_django.relay.cursor_connection import DjangoCursorConnection, DjangoCursorEdge

from config.errors import ValidationError

DEFAULT_FIRST = 50
MAX_FIRST = 200
CURSOR_PREFIX = DjangoCursorEdge.CURSOR_PREFIX
NodeT = TypeVar("NodeT")

if TYPE_CHECKING:
    # strawberry types Connection for relay Nodes only; Vigil's types keep their integer ids.
    class Connection(Generic[NodeT]):
        page_info: PageInfo
        edges: list[Any]

else:
    Connection = DjangoCursorConnection


class FirstAfterExtension(StrawberryDjangoConnectionExtension):
    def apply(self, field: StrawberryField) -> None:
        super().apply(field)
        field.arguments = [a for a in field.arguments if a.python_name not in ("before", "last")]
        for argument in field.arguments:
            if argument.python_name == "first":
                argument.default = DEFAULT_FIRST
                argument.description = f"How many items, from 1 to {MAX_FIRST}."
            elif argument.python_name == "after":
                argument.description = "The endCursor of the previous page (or any edge's cursor)."

    def resolve(self, next_: Any, source: Any, info: Any, *, after: str | None = None, **kwargs: Any) -> Any:
        try:
            connection = super().resolve(next_, source, info, after=after, **kwargs)
        except ValueError as exc:
            # strawberry-django's word for a cursor whose values do not fit this list's order.
            if str(exc) != "Invalid cursor":
                raise
            raise ValidationError("after is not a cursor of this list.", field="after") from exc
        # A cursor names a row before this page: forward paging knows that much without another query.
        connection.page_info.has_previous_page = bool(after)
        return connection


def connection(graphql_type: Any = None, *, description: str | None = None, field_name: str | None = None) -> Any:
    """A connection field: nested (no resolver; `field_name` the model's relation, prefetched for all parents by the
    optimizer) or top-level (decorating a resolver that returns the selector's QuerySet)."""
    return StrawberryDjangoField(
        python_name=None,
        graphql_name=None,
        django_name=field_name,
        type_annotation=StrawberryAnnotation.from_annotation(graphql_type) if graphql_type is not None else None,
        description=description,
        extensions=[FirstAfterExtension(max_results=MAX_FIRST)],
    )
