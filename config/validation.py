"""Small validation helpers shared by services."""

from typing import Any

from config.errors import ErrorList, ValidationError
from config.jsonsafe import INT_MAX, INT_MIN

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


def bounded_int(raw: str, *, field: str, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int:
    """A whole number from text (a query parameter), within [minimum, maximum]; a ValidationError naming `field`.

    Refuses what int() would take but a database cannot (digits past 64 bits) and what it would not (1e30, 1.5).
    """
    text = raw.strip()
    if not text or len(text) > 20 or not text.lstrip("+-").isdigit() or not text.lstrip("+-").isascii():
        raise ValidationError(f"'{raw[:40]}' is not a whole number.", field=field)
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValidationError(f"{field} must be between {minimum} and {maximum}.", field=field)
    return value
