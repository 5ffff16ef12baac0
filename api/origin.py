"""Where a request comes from: its client address (X-Forwarded-For only from trusted proxies) and user agent."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from tenants.audit.context import RequestOrigin

USER_AGENT_CHARS = 300

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"VIGIL_TRUSTED_PROXIES: {exc}") from exc


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: X-Forwarded-For is read only from trusted proxies, right to left.

    Each trusted proxy appends the address it was reached from, so the first address from the right that is not a
    trusted proxy is the client; whatever the client wrote further left is its own claim and is ignored.
    """
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    while any(peer in network for network in trusted) and hops:
        hop = _address(hops.pop())
        if hop is None:
            break
        peer = hop
    return str(peer)


def origin_of(request: HttpRequest) -> RequestOrigin:
    agent = "".join(c for c in request.headers.get("User-Agent", "") if c.isprintable())
    return RequestOrigin(ip=client_ip(request), user_agent=agent[:USER_AGENT_CHARS])
