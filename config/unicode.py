"""Text that PostgreSQL and JSON encoders cannot store: NUL characters and lone surrogates."""

from typing import Any


def find_broken_text(value: Any, path: str = "") -> str | None:
    """Return the path of the first string (or key) holding a NUL or a lone surrogate, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "$"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "$"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_broken_text(key, path) or find_broken_text(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_broken_text(item, f"{path}[{index}]")
            if found:
                return found
    return None
