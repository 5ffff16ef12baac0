"""JSON parsing that refuses broken Unicode up front, naming where it is, so nothing half-valid is ever stored."""

from collections.abc import Mapping
from typing import Any

from rest_framework.parsers import JSONParser

from config import jsonsafe
from config.errors import ValidationError
from config.unicode import find_broken_text


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"Request body is not valid UTF-8 (byte {exc.start}).", field="body", code="invalid_encoding"
            ) from exc
        data = jsonsafe.loads(text, field="body")
        broken = find_broken_text(data)
        if broken:
            raise ValidationError(
                "Text contains a NUL character or broken Unicode (lone surrogate).",
                field=broken,
                code="invalid_encoding",
            )
        return data
