"""JSON for every REST answer, with points in time in the one format (config.timestamps).

Serializers hand datetimes through untouched (REST_FRAMEWORK["DATETIME_FORMAT"] is None), so a serializer field,
a selector's dict and a nested JSON value all come out the same way.
"""

from datetime import datetime
from typing import Any

from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from config.timestamps import format_timestamp


class TimestampEncoder(JSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, datetime):
            return format_timestamp(obj)
        return super().default(obj)


class VigilJSONRenderer(JSONRenderer):
    encoder_class = TimestampEncoder
