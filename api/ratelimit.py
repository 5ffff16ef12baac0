"""Who a request counts against and how much it may do: the API-wide limit and the login failure limits."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from api.principals import Principal
from config import ratelimit
from config.errors import TooManyRequestsError
from config.ratelimit import Window

API_WINDOW_SECONDS = 60


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the nearest X-Forwarded-For hop that is not one of our trusted proxies.

    Only a trusted peer's X-Forwarded-For is believed, and only its hops up to the first untrusted one: a client
    can prepend anything to the header, but not past the proxy that appended its real address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))

    def is_trusted(address: str) -> bool:
        parsed = _parse(address)
        return parsed is not None and any(parsed in network for network in trusted)

    if not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop if _parse(hop) is not None else remote
    return remote


def limit_for(principal: Principal | None) -> int:
    """Requests per minute for this caller; the place for per-tenant or per-plan limits to plug in."""
    if principal is None:
        return int(settings.RATE_LIMIT_ANONYMOUS_PER_MINUTE)
    return int(settings.RATE_LIMIT_PER_MINUTE)


def api_request_hit(principal: Principal | None, address: str) -> Window:
    """Count one API request against its key or user, or its client address when it has no valid credentials."""
    identity = f"{principal.kind}:{principal.id}" if principal is not None else f"address:{address}"
    return ratelimit.hit("api", identity, limit=limit_for(principal), seconds=API_WINDOW_SECONDS)


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
