"""django-filter filters with the bounds the database has: every FilterSet uses these instead of the stock ones.

The stock NumberFilter parses `1e30` as a Decimal and CharFilter takes any length, and each reached PostgreSQL as
a 500 (bigint out of range, `+16:00` time zone displacement out of range). These refuse such values as a 400
naming the query parameter, the way the form field reports it.
"""

from datetime import UTC

import django_filters
from django import forms

from config.jsonsafe import INT_MAX, INT_MIN

MAX_FILTER_CHARS = 200


class BigIntegerFilter(django_filters.NumberFilter):
    """A whole number that fits a bigint column."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)


class TextFilter(django_filters.CharFilter):
    """Text of bounded length (forms.CharField already refuses NUL characters)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", MAX_FILTER_CHARS)
        super().__init__(*args, **kwargs)


class _UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601, turned into UTC here: PostgreSQL refuses offsets past ±15:59 and years before 1 AD in UTC."""

    default_error_messages = {"overflow": "Date-time is out of range."}

    def to_python(self, value):  # type: ignore[no-untyped-def]
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["overflow"], code="overflow") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField
