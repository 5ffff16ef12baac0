"""`Idempotency-Key` on REST POSTs: a retried create replays the first answer instead of creating twice.

Records live in the shared cache (Redis) for 24 hours under the tenant (cache keys carry the schema, and the key
names the tenant too) and the caller (user or API key), so two callers never share a key. Only a 2xx answer is
kept: a 4xx or 5xx frees the key, so the corrected request may use it again. While the first request runs, the key
holds a short-lived marker, and a second one with that key is a 409 instead of a second run.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse

from config.errors import ConflictError, UnprocessableError, ValidationError
from tenants.identity.principals import Principal

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 255
REPLAY_SECONDS = 24 * 60 * 60
# A request that died without answering (a killed worker) frees its key after this; longer than any request runs.
RUNNING_SECONDS = 5 * 60
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Claim:
    """This request owns the key until it answers."""

    cache_key: str
    fingerprint: str


class Replay(Exception):
    """The key's first answer, to be sent again as it was (raised out of the view's setup, answered by the view)."""

    def __init__(self, record: dict[str, object]) -> None:
        super().__init__("idempotent replay")
        self.record = record

    def response(self) -> HttpResponse:
        response = HttpResponse(
            self.record["content"], status=self.record["status"], content_type=self.record["content_type"]
        )
        response[REPLAYED_HEADER] = "true"
        return response


def _checked(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_CHARS or not all(" " <= char <= "~" for char in key):
        raise ValidationError(
            f"{HEADER} is 1 to {MAX_KEY_CHARS} printable ASCII characters.", field=HEADER, code="invalid_header"
        )
    return key


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests the same one: where they go and the exact bytes they carry."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(*, principal: Principal, key: str, fingerprint: str) -> Claim:
    """Take the key for this request, or raise: Replay (done before, same request), 422 (another request), 409."""
    digest = hashlib.sha256(_checked(key).encode()).hexdigest()
    cache_key = f"idempotency:{principal.tenant_slug}:{principal.kind}:{principal.id}:{digest}"
    running = {"state": "running", "fingerprint": fingerprint}
    if cache.add(cache_key, running, timeout=RUNNING_SECONDS):
        return Claim(cache_key, fingerprint)
    record = cache.get(cache_key)
    if record is None:
        # It expired between the two calls: the key is free again.
        if cache.add(cache_key, running, timeout=RUNNING_SECONDS):
            return Claim(cache_key, fingerprint)
        record = cache.get(cache_key) or running
    if record["fingerprint"] != fingerprint:
        raise UnprocessableError(
            f"This {HEADER} was used for a different request; use a new key for a new request.",
            field=HEADER,
            code="idempotency_key_reused",
        )
    if record["state"] == "running":
        raise ConflictError(
            f"A request with this {HEADER} is still running; retry once it has answered.",
            field=HEADER,
            code="idempotency_key_in_progress",
        )
    raise Replay(record)


def finish(held: Claim, response: HttpResponse) -> None:
    """Keep a successful answer for replays; free the key after any other."""
    if 200 <= response.status_code < 300:
        record = {
            "state": "done",
            "fingerprint": held.fingerprint,
            "status": response.status_code,
            "content": bytes(response.content),
            "content_type": response.get("Content-Type", "application/json"),
        }
        cache.set(held.cache_key, record, timeout=REPLAY_SECONDS)
    else:
        release(held)


def release(held: Claim) -> None:
    cache.delete(held.cache_key)
