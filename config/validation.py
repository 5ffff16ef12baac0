"""Small validation helpers shared by services."""

from typing import Any

from config.errors import ErrorList

# Marks a keyword argument a partial update did not give (None is a value some fields accept).
UNSET: Any = object()


def required_text(errors: ErrorList, value: str, *, field: str = "name", label: str = "Name", limit: int = 200) -> str:
    """The value trimmed; records an error when it is empty or longer than `limit` characters."""
    value = value.strip()
    if not value:
        errors.add(field, f"{label} is required.")
    elif len(value) > limit:
        errors.add(field, f"{label} must be at most {limit} characters.")
    return value
