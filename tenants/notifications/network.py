"""Where a webhook may connect: public addresses, and the exact host:port pairs an operator allows.

A tenant chooses its webhook URLs, so a URL is a request to connect somewhere from inside our network. The name
is resolved once, every address it resolves to is checked, and the connection is made to the checked address
(the Host header and the TLS server name stay the URL's), so a resolver that answers differently the second
time (DNS rebinding) cannot move the connection somewhere else.
"""

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
# Ranges `is_global` lets through on Python 3.11 that no webhook receiver lives in.
_REFUSED_NETWORKS = (
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("::/96"),  # IPv4-compatible IPv6, deprecated (RFC 4291): ::127.0.0.1
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): translates into private networks
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64 prefix (RFC 6052): the last 32 bits are IPv4
_LOCALHOST_NAMES = ("localhost", "localhost.localdomain")
# Addresses of one name tried in turn when a connection is refused or unreachable; each may take the timeout.
MAX_ADDRESSES_TRIED = 3


class DestinationRefused(Exception):
    """The URL may not be sent to; the message says why, for the delivery log or the channel form."""


@dataclass(frozen=True)
class Destination:
    """A request aimed at one checked address: `url` has the address as its host, the rest is the URL's."""

    url: httpx.URL
    host_header: str
    server_name: str | None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form routes to: IPv4-mapped, 6to4 or NAT64."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refused(ip: IPAddress) -> bool:
    """True unless the address is public unicast, in whichever form it is written."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_refused(embedded)
    if ip.is_multicast or not ip.is_global:
        return True
    return any(ip in network for network in _REFUSED_NETWORKS if network.version == ip.version)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host names by itself, including IPv4 in decimal, hex, octal or short form (127.1)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        # inet_aton reads what HTTP clients and resolvers read as IPv4: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _normal_host(host: str) -> str:
    address = literal_address(host)
    return str(address) if address is not None else host.lower().rstrip(".")


@lru_cache(maxsize=8)
def _parse_allowed(entries: tuple[str, ...]) -> frozenset[tuple[str, int]]:
    allowed = set()
    for entry in entries:
        host, _, port = entry.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(
                f"WEBHOOK_ALLOWED_TARGETS entry {entry!r} is not host:port (IPv6 as [::1]:8765)."
            )
        allowed.add((_normal_host(host), int(port)))
    return frozenset(allowed)


def _allowed(host: str, port: int) -> bool:
    """Whether the operator listed exactly this host (a name as written, or an address) and port."""
    return (_normal_host(host), port) in _parse_allowed(tuple(settings.WEBHOOK_ALLOWED_TARGETS))


def _port(url: httpx.URL) -> int:
    return url.port or DEFAULT_PORTS.get(url.scheme, 80)


def url_refused(url: str) -> str | None:
    """Why a channel may not be given this URL, from the URL alone (names are resolved when sending)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "URL is not valid."
    host, port = parsed.host, _port(parsed)
    if _allowed(host, port):
        return None
    address = literal_address(host)
    if address is not None and address_refused(address):
        return "URL points to a private, loopback or reserved address."
    name = host.lower().rstrip(".")
    if address is None and (name in _LOCALHOST_NAMES or name.endswith(".localhost")):
        return "URL points to a private, loopback or reserved address."
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DestinationRefused(f"Cannot resolve '{host}': {exc}") from exc
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


def destinations_pinned(url: str) -> list[Destination]:
    """Resolve the URL's host once and aim the request at each address it has, if every one may be reached.

    Raises DestinationRefused if any address the name resolves to is private, loopback, link-local or reserved
    and that address (or the name) with this port is not in WEBHOOK_ALLOWED_TARGETS.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise DestinationRefused(f"URL is not valid: {exc}") from exc
    host, port = parsed.raw_host.decode("ascii"), _port(parsed)
    literal = literal_address(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    if not addresses:
        raise DestinationRefused(f"Cannot resolve '{host}'.")
    name_allowed = _allowed(host, port)
    for address in addresses:
        if address_refused(address) and not name_allowed and not _allowed(str(address), port):
            what = f"'{host}' resolves to" if literal is None else f"'{host}' is"
            raise DestinationRefused(f"{what} a private, loopback or reserved address; sending there is not allowed.")
    return [
        Destination(
            url=parsed.copy_with(host=str(getattr(address, "ipv4_mapped", None) or address)),
            host_header=parsed.netloc.decode("ascii"),
            server_name=host if literal is None else None,
        )
        for address in addresses[:MAX_ADDRESSES_TRIED]
    ]


@dataclass(frozen=True)
class Reply:
    status_code: int
    body: bytes  # at most `read_limit` bytes of it

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


def _post(destination: Destination, *, content: bytes, headers: dict[str, str], timeout: float, limit: int) -> Reply:
    # The TLS handshake names (and the certificate must match) the URL's host, not the address connected to.
    extensions = {"sni_hostname": destination.server_name} if destination.server_name else {}
    # trust_env=False: a proxy from the environment would resolve the name again, on its own.
    with (
        httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
        client.stream(
            "POST",
            destination.url,
            content=content,
            headers={**headers, "Host": destination.host_header},
            extensions=extensions,
        ) as response,
    ):
        received = b""
        for chunk in response.iter_bytes():
            received += chunk
            if len(received) >= limit:
                break
    return Reply(status_code=response.status_code, body=received[:limit])


def post_pinned(url: str, *, content: bytes, headers: dict[str, str], timeout: float, read_limit: int) -> Reply:
    """POST to the URL over a connection to an address checked by destinations_pinned; redirects are not followed.

    The addresses are tried in the resolver's order until one accepts the connection (an IPv6 address on a host
    without IPv6, say). Raises DestinationRefused, or httpx.HTTPError when no address answers.
    """
    destinations = destinations_pinned(url)
    for destination in destinations[:-1]:
        try:
            return _post(destination, content=content, headers=headers, timeout=timeout, limit=read_limit)
        except httpx.ConnectError:
            continue
    return _post(destinations[-1], content=content, headers=headers, timeout=timeout, limit=read_limit)
