"""The one way Vigil writes a point in time to the outside (REST, GraphQL, CSV, webhooks): UTC, microseconds,
`Z`, e.g. `2026-12-02T01:02:03.123456Z`. One fixed width sorts as text and parses in every client."""

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(FORMAT)
