"""Failed logins per account and per client address: past the limit, logins are refused until the window ends."""

from django.conf import settings

from config import ratelimit
from config.errors import TooManyRequestsError


def _login_scopes(email: str, address: str) -> list[tuple[str, str, int]]:
    return [
        ("login-email", email.strip().lower(), int(settings.LOGIN_MAX_FAILURES)),
        ("login-address", address, int(settings.LOGIN_MAX_FAILURES_PER_ADDRESS)),
    ]


def login_check(*, email: str, address: str) -> None:
    """Refuse before any password is hashed once this account or address has used up its failures."""
    seconds = int(settings.LOGIN_WINDOW_SECONDS)
    for scope, identity, limit in _login_scopes(email, address):
        window = ratelimit.peek(scope, identity, limit=limit, seconds=seconds)
        if window.count >= limit:
            raise TooManyRequestsError(
                f"Too many failed logins; try again in {window.reset} seconds.",
                retry_after=window.reset,
                code="too_many_attempts",
            )


def login_failed(*, email: str, address: str) -> None:
    seconds = int(settings.LOGIN_WINDOW_SECONDS)
    for scope, identity, limit in _login_scopes(email, address):
        ratelimit.hit(scope, identity, limit=limit, seconds=seconds)


def login_succeeded(*, email: str) -> None:
    ratelimit.clear("login-email", email.strip().lower(), seconds=int(settings.LOGIN_WINDOW_SECONDS))
