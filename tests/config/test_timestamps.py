from datetime import UTC, datetime, timedelta, timezone

from config.timestamps import format_timestamp


def test_every_timestamp_is_utc_with_microseconds_and_z():
    taipei = timezone(timedelta(hours=8))

    assert format_timestamp(datetime(2026, 12, 2, 9, 2, 3, tzinfo=taipei)) == "2026-12-02T01:02:03.000000Z"
    assert format_timestamp(datetime(2026, 12, 2, 1, 2, 3, 123456, tzinfo=UTC)) == "2026-12-02T01:02:03.123456Z"
