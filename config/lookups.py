"""Row lookups shared by services."""

from typing import TypeVar

from django.db.models import Model

from config.errors import NotFoundError

M = TypeVar("M", bound=Model)


def locked_or_404(model: type[M], pk: int, label: str) -> M:
    """The row, locked for the rest of the transaction; a 404 naming `id` when it does not exist."""
    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFoundError(f"No {label} {pk}.", field="id")
    return row
