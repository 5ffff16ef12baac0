"""GraphQL's DateTime in Vigil's one timestamp format (`2026-12-02T01:02:03.123456Z`), as REST, CSV and webhooks."""

from datetime import datetime

import strawberry

from config.timestamps import format_timestamp

DateTime = strawberry.scalar(
    datetime,
    name="DateTime",
    description="A point in time in UTC with microseconds, e.g. 2026-12-02T01:02:03.123456Z; input takes any ISO 8601.",
    serialize=format_timestamp,
    parse_value=datetime.fromisoformat,
)
