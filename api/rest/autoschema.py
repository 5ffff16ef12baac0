"""The AutoSchema every REST view uses: drf-spectacular's, plus the `Idempotency-Key` header on the POSTs that
take it (api.rest.idempotency)."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from api.rest import idempotency

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_CHARS, "pattern": "^[ -~]+$"},
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (a UUID). The same key with the same body within 24 hours replays the first "
        "successful answer (header `Idempotent-Replayed: true`) instead of running again; with another body it "
        "is a 422 `idempotency_key_reused`; while the first is still running, a 409 `idempotency_key_in_progress`."
    ),
)


class VigilAutoSchema(AutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters
