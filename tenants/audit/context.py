"""Where the current request comes from, for the audit entries written while it is handled.

The API sets it for each request (api/origin.py reads the address and user agent off the request); the audit
log only reads it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None
    user_agent: str


_origin: ContextVar[RequestOrigin | None] = ContextVar("audit_request_origin", default=None)


@contextmanager
def origin_set(origin: RequestOrigin) -> Iterator[None]:
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> RequestOrigin:
    """The request being handled; none (no address) in Celery tasks and management commands."""
    return _origin.get() or RequestOrigin(ip=None, user_agent="")
