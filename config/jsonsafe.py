"""JSON from clients, parsed with limits: no nesting past a sane depth, no number a database or encoder chokes on.

Python's parser recurses per level (a deep document raises RecursionError), turns 4,301-digit integers into
ValueError, and accepts NaN and Infinity; each of those reached the faces as a 500. Everything a client sends as
JSON goes through `loads`, so all faces refuse the same documents with the same codes.
"""

import json
from typing import Any

from config.errors import ValidationError

MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Enough for any 64-bit integer with a sign; longer digit strings are refused before int() sees them.
_MAX_INT_CHARS = 20


class _Refused(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _parse_int(text: str) -> int:
    if len(text) > _MAX_INT_CHARS:
        raise _Refused(f"A number has {len(text)} digits; integers must fit in 64 bits.", "number_out_of_range")
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise _Refused(f"The number {text} is outside the 64-bit integer range.", "number_out_of_range")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"The number {text[:40]} is too large.", "number_out_of_range")
    return value


def _parse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not valid JSON.", "malformed_json")


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes, *, field: str = "body", max_depth: int = MAX_DEPTH) -> Any:
    """Parse a client's JSON document; a ValidationError naming `field` when it is malformed or out of bounds."""
    try:
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except _Refused as exc:
        raise ValidationError(exc.message, field=field, code=exc.code) from None
    except RecursionError:
        raise ValidationError(
            f"JSON is nested more than {max_depth} levels deep.", field=field, code="too_deep"
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}.", field=field, code="malformed_json"
        ) from None
    if _depth_exceeds(data, max_depth):
        raise ValidationError(f"JSON is nested more than {max_depth} levels deep.", field=field, code="too_deep")
    return data
