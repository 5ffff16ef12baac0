"""Turns a request body (JSON `{"mentions": [...]}` or NDJSON) into items, with limits and per-line errors."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from config import jsonsafe
from config.errors import PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-lines")


@dataclass
class ItemError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Unparseable:
    """A line of a file that is not JSON, kept in the stream so the items after it keep their positions."""

    line: int
    reason: str


@dataclass
class ParsedPayload:
    items: list[tuple[int, Any]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


def _check_limits(size: int, count: int) -> None:
    if size > settings.INGEST_MAX_BYTES:
        raise PayloadTooLargeError(
            f"Batch is {size} bytes; the limit is {settings.INGEST_MAX_BYTES} bytes. Split it into smaller batches.",
            field="body",
        )
    if count > settings.INGEST_MAX_ITEMS:
        raise PayloadTooLargeError(
            f"Batch has {count} mentions; the limit is {settings.INGEST_MAX_ITEMS} per request.", field="mentions"
        )


def parse_json(body: bytes) -> ParsedPayload:
    _check_limits(len(body), 0)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"Body is not valid UTF-8 (byte {exc.start}).", field="body", code="invalid_encoding"
        ) from exc
    return from_object(jsonsafe.loads(text, field="body"))


def from_object(data: Any) -> ParsedPayload:
    if not isinstance(data, dict) or not isinstance(data.get("mentions"), list):
        raise ValidationError('Expected an object {"mentions": [...]}.', field="mentions")
    mentions = data["mentions"]
    _check_limits(0, len(mentions))
    return ParsedPayload(items=list(enumerate(mentions)))


def parse_ndjson(body: bytes) -> ParsedPayload:
    _check_limits(len(body), 0)
    lines = [line for line in body.split(b"\n") if line.strip()]
    _check_limits(0, len(lines))
    parsed = ParsedPayload()
    for index, line in enumerate(lines):
        try:
            parsed.items.append((index, jsonsafe.loads(line.decode("utf-8"), field="")))
        except UnicodeDecodeError as exc:
            parsed.errors.append(ItemError(index, "", f"Line is not valid UTF-8 (byte {exc.start})."))
        except ValidationError as exc:
            parsed.errors.append(ItemError(index, "", exc.message))
    return parsed


def parse_body(body: bytes, content_type: str) -> ParsedPayload:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in NDJSON_TYPES:
        return parse_ndjson(body)
    if media_type in ("application/json", ""):
        return parse_json(body)
    raise UnsupportedMediaTypeError(
        f"Unsupported content type '{media_type}'; send application/json or application/x-ndjson.",
        field="Content-Type",
    )
