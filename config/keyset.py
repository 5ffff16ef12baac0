"""Keyset (seek) paging over any queryset, in the order the queryset already has, with the primary key as the last
tie-break so the order is total and a page never repeats or skips a row while rows are added.

A cursor is the position of the row a page ended (or started) at, signed with the secret key: a client can carry it
but not forge one, so nothing it holds ever reaches SQL unchecked. It also names the ordering it was made for.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import exceptions as django_exceptions
from django.core import signing
from django.db.models import Field, Model, Q, QuerySet

from config.errors import ValidationError

T = TypeVar("T")

_SALT = "vigil.keyset.cursor"
MAX_CURSOR_CHARS = 2000
_FORWARD, _BACKWARD = "n", "p"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool
    field: Field  # type: ignore[type-arg]

    @property
    def term(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def reversed(self) -> "_Key":
        return _Key(self.name, not self.descending, self.field)


def _keys(queryset: QuerySet[Any]) -> list[_Key]:
    meta = queryset.model._meta
    terms = list(queryset.query.order_by) or list(meta.ordering)
    keys: list[_Key] = []
    for term in terms:
        if not isinstance(term, str) or "__" in term or term.startswith("?"):
            raise TypeError(f"keyset paging orders by the model's own fields, not {term!r}")
        name = term.lstrip("-")
        field = meta.pk if name == "pk" else meta.get_field(name)
        assert isinstance(field, Field) and field.concrete, f"{name} is not a column of {meta.label}"
        keys.append(_Key(field.attname, term.startswith("-"), field))
    assert meta.pk is not None
    if not any(key.field == meta.pk for key in keys):
        keys.append(_Key(meta.pk.attname, keys[0].descending if keys else False, meta.pk))
    return keys


def _beyond(key: _Key, value: Any) -> Q | None:
    """Rows after `value` in this key's direction; PostgreSQL puts NULLs last going up and first going down."""
    if value is None:
        return Q(**{f"{key.name}__isnull": False}) if key.descending else None
    beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    if key.field.null and not key.descending:
        beyond |= Q(**{f"{key.name}__isnull": True})
    return beyond


def _after(keys: list[_Key], values: list[Any]) -> Q:
    terms: list[Q] = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value)
        if beyond is not None:
            terms.append(equal & beyond)
        equal &= Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})
    if not terms:
        return Q(pk__in=[])
    condition = terms[0]
    for term in terms[1:]:
        condition |= term
    return condition


def _position(keys: list[_Key], row: Model) -> list[Any]:
    return [None if getattr(row, key.name) is None else key.field.value_to_string(row) for key in keys]


def _encode(direction: str, ordering: list[str], values: list[Any]) -> str:
    return signing.dumps({"d": direction, "o": ordering, "v": values}, salt=_SALT, compress=True)


def _decode(cursor: str, ordering: list[str]) -> tuple[str, list[Any]]:
    refused = ValidationError("Cursor is not one this API returned.", field="cursor")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise refused
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as exc:
        raise refused from exc
    if payload.get("o") != ordering:
        raise ValidationError("Cursor was made for another ordering; start again without it.", field="cursor")
    return payload["d"], payload["v"]


def keyset_page(queryset: QuerySet[Any], *, size: int, cursor: str = "") -> Page[Any]:
    """One page of `size` rows after (or, for a previous-page cursor, before) the cursor's position."""
    keys = _keys(queryset)
    ordering = [key.term for key in keys]
    if not cursor:
        rows = list(queryset.order_by(*ordering)[: size + 1])
        items = rows[:size]
        more = len(rows) > size
        return Page(items, _encode(_FORWARD, ordering, _position(keys, items[-1])) if more else None, None)
    direction, raw = _decode(cursor, ordering)
    try:
        values = [None if value is None else key.field.to_python(value) for key, value in zip(keys, raw, strict=True)]
    except (django_exceptions.ValidationError, ValueError, TypeError) as exc:
        raise ValidationError("Cursor is not one this API returned.", field="cursor") from exc
    walk = keys if direction == _FORWARD else [key.reversed() for key in keys]
    rows = list(queryset.filter(_after(walk, values)).order_by(*[key.term for key in walk])[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    if direction == _BACKWARD:
        items.reverse()
    first = _encode(_BACKWARD, ordering, _position(keys, items[0])) if items else None
    last = _encode(_FORWARD, ordering, _position(keys, items[-1])) if items else None
    if direction == _FORWARD:
        return Page(items, last if more else None, first)
    return Page(items, last, first if more else None)


def sequence_page(items: Sequence[T], *, size: int, cursor: str = "") -> Page[T]:
    """The same paging over a short list computed in Python (its order is the list's): the cursor is an offset."""
    start = 0
    if cursor:
        direction, raw = _decode(cursor, ["#"])
        end = int(raw[0])
        start = end if direction == _FORWARD else max(0, end - size)
    chunk = list(items[start : start + size])
    end = start + len(chunk)
    return Page(
        chunk,
        _encode(_FORWARD, ["#"], [end]) if end < len(items) else None,
        _encode(_BACKWARD, ["#"], [start]) if start > 0 else None,
    )
