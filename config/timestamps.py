"""The one way Vigil writes a point in time to the outside (REST, GraphQL, CSV, webhooks): UTC, microseconds,
`Z`, e.g. `2026-12-02T01:02:03.123456Z`. One fixed width sorts as text and parses in every client."""

from datetime import UTC, datetime
from typing import Any

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(FORMAT)


def with_timestamps(value: Any) -> Any:
    """`value` with every datetime inside it (in dicts, lists, tuples) written in the one format, for JSON that is
    stored before it is sent (webhook payloads), where an encoder of its own would pick another spelling."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        return {key: with_timestamps(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [with_timestamps(item) for item in value]
    return value
