"""Address rules for fetching what strangers ask for: no private, loopback, metadata, ... addresses.

The service (``morgue serve``) fetches URLs that anyone who can reach it
submits. Without these rules a URL could make morgue request the host's own
admin pages, a cloud's metadata endpoint (credentials), or anything on the
private network, and hand back the answer as an archived page.

Three checks, all before a connection is made:

- ``SsrfGuardMiddleware`` (a downloader middleware, first in line): the scheme
  (``http``, ``https`` only), the port (80 and 443 only), a literal address in
  any spelling (``2130706433``, ``0x7f.1``, ``017700000001``, ``[::ffff:10.0.0.1]``),
  and the addresses a name resolves to. Redirects are new requests and pass
  through it again, so every hop is checked.
- ``GuardedResolver`` (Scrapy's ``TWISTED_DNS_RESOLVER``): the addresses the
  HTTP client is about to connect to are filtered again at resolution, so a
  name that resolves differently the second time (DNS rebinding) still
  reaches no refused address.
- ``classify`` is the rule itself, pure, for tests and for the service's input checks.

``MORGUE_ALLOWED_NETWORKS`` (comma-separated CIDRs, each optionally with
``:port``, IPv6 as ``[addr/len]:port``) lets addresses through: an entry
without a port allows its addresses on ports 80 and 443, one with a port on
that port only. The command line does not apply these rules unless
``MORGUE_SSRF_GUARD`` is on; the service always does.

Settings: ``MORGUE_SSRF_GUARD``, ``MORGUE_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer, provider

from morgue import meta
from morgue.config import flag

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = (80, 443)
SCHEMES = ("http", "https")
#: cloud metadata endpoints that are not already private or link-local
METADATA = {
    ipaddress.ip_address("169.254.169.254"): "cloud metadata",  # AWS, GCP, Azure, OpenStack, ...
    ipaddress.ip_address("169.254.170.2"): "cloud metadata",  # AWS ECS task credentials
    ipaddress.ip_address("100.100.100.200"): "cloud metadata",  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"): "cloud metadata",  # AWS over IPv6
}
_CATEGORIES = (
    ("unspecified", "is_unspecified"), ("loopback", "is_loopback"), ("link-local", "is_link_local"),
    ("multicast", "is_multicast"), ("reserved", "is_reserved"), ("private", "is_private"),
)


class RefusedAddress(IgnoreRequest):
    """A request the address rules refuse; the message says which address and why."""


@dataclass(frozen=True)
class Allowed:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    port: int | None = None

    def allows(self, address: IPAddress, port: int) -> bool:
        if address not in self.network:
            return False
        return port == self.port if self.port is not None else port in DEFAULT_PORTS


def parse_allowed(value: str | Sequence[str] | None) -> tuple[Allowed, ...]:
    """``MORGUE_ALLOWED_NETWORKS``: ``10.0.0.0/8, 127.0.0.1:8080, [::1]:8080, fd00::/8``; ValueError names it."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    out = []
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        network, port = item, None
        try:
            if item.startswith("["):
                network, _, rest = item[1:].partition("]")
                port = int(rest[1:]) if rest.startswith(":") else None
                if rest and port is None:
                    raise ValueError
            elif item.count(":") == 1:
                network, _, port_text = item.partition(":")
                port = int(port_text)
            if port is not None and not 0 < port < 65536:
                raise ValueError
            out.append(Allowed(ipaddress.ip_network(network.strip(), strict=False), port))
        except ValueError:
            raise ValueError(f"invalid MORGUE_ALLOWED_NETWORKS entry {item!r}: use CIDR[:port], "
                             "e.g. 10.0.0.0/8 or 127.0.0.1:8080 or [::1]:8080") from None
    return tuple(out)


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling ``inet_aton`` (and so the resolver) accepts: 1 to 4 parts,
    each decimal, octal (leading 0) or hex (0x); e.g. ``2130706433``, ``0x7f.1``, ``0177.0.0.1``."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            else:
                values.append(int(part, 10))
        except ValueError:
            return None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        return None
    number = 0
    for v in head:
        number = number * 256 + v
    number = (number << (8 * (5 - len(values)))) + last
    return ipaddress.IPv4Address(number)


def parse_address(host: str) -> IPAddress | None:
    """The address a URL's host spells literally, in any spelling a resolver accepts; None for a name."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return _inet_aton(host)


def _embedded(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network("::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def category(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one (``loopback``, ``private``, ``cloud metadata``, ...), or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return category(address.ipv4_mapped)  # the IPv4 address it is, whatever ::ffff:0:0/96 is
    inner = _embedded(address)
    if inner is not None and address not in ipaddress.ip_network("::/127"):
        found = category(inner)
        if found:
            return found
    if address in METADATA:
        return METADATA[address]
    for name, attribute in _CATEGORIES:
        if getattr(address, attribute):
            return name
    if not address.is_global:
        return "non-public"
    return None


def classify(address: IPAddress | str, port: int, allowed: Iterable[Allowed] = ()) -> str | None:
    """Why connecting to ``address:port`` is refused, or None when it is allowed."""
    if isinstance(address, str):
        parsed = parse_address(address)
        if parsed is None:
            raise ValueError(f"not an IP address: {address!r}")
        address = parsed
    if any(a.allows(address, port) for a in allowed):
        return None
    if port not in DEFAULT_PORTS:
        return f"port {port} is not allowed (only 80 and 443)"
    why = category(address)
    return f"{address} is a {why} address" if why else None


def check_url(url: str, allowed: Iterable[Allowed] = ()) -> tuple[str, int, IPAddress | None]:
    """(host, port, literal address or None) of ``url``; RefusedAddress for a scheme, port or literal refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress(f"invalid URL {url!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise RefusedAddress(f"scheme {scheme or 'none'!r} is not allowed (only http and https)")
    host = parts.hostname or ""
    if not host:
        raise RefusedAddress(f"no host in {url!r}")
    port = port or (443 if scheme == "https" else 80)
    address = parse_address(host)
    if address is not None:
        why = classify(address, port, allowed)
        if why:
            raise RefusedAddress(f"refused {url}: {why}")
    elif port not in DEFAULT_PORTS and not any(a.port == port for a in allowed):
        raise RefusedAddress(f"refused {url}: port {port} is not allowed (only 80 and 443)")
    return host, port, address


class SsrfGuardMiddleware:
    """Refuses requests to addresses the rules forbid, before robots.txt or anything else is fetched."""

    def __init__(self, crawler, allowed: tuple[Allowed, ...]):
        self.stats = crawler.stats
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler):
        if not flag(crawler.settings, "MORGUE_SSRF_GUARD", False):
            raise NotConfigured("MORGUE_SSRF_GUARD is off")
        return cls(crawler, parse_allowed(crawler.settings.get("MORGUE_ALLOWED_NETWORKS")))

    async def process_request(self, request: Request) -> None:
        try:
            await check_destination(request.url, self.allowed)
        except RefusedAddress:
            self.stats.inc_value(meta.SSRF_REFUSED)
            raise


async def check_destination(url: str, allowed: Iterable[Allowed] = ()) -> None:
    """``check_url``, and for a name every address it resolves to; RefusedAddress says which and why.

    A name that does not resolve passes: the fetch then fails with its own DNS error.
    """
    host, port, address = check_url(url, allowed)
    if address is not None:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return
    for info in infos:
        why = classify(info[4][0], port, allowed)
        if why:
            raise RefusedAddress(f"refused {url}: {host} resolves to {info[4][0]}: {why}")


@provider(IResolutionReceiver)
class _Filter:
    """Passes on the resolved addresses the rules allow; the others are dropped (and logged)."""

    def __init__(self, receiver, host: str, allowed: tuple[Allowed, ...]):
        self.receiver, self.host, self.allowed = receiver, host, allowed

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address) -> None:
        why = classify(address.host, address.port, self.allowed)
        if why:
            logger.warning("Refused to connect to %s: %s", self.host, why)
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """Scrapy's ``TWISTED_DNS_RESOLVER``: the reactor's own resolution, minus the refused addresses.

    Literal addresses go through it too (Twisted's endpoints resolve every host),
    so nothing connects to a refused address, whichever way the URL spelled it.
    """

    def __init__(self, reactor, allowed: tuple[Allowed, ...]):
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor, parse_allowed(crawler.settings.get("MORGUE_ALLOWED_NETWORKS")))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes=None, transportSemantics: str = "TCP"):
        return self.original.resolveHostName(_Filter(resolutionReceiver, hostName, self.allowed),
                                             hostName, portNumber, addressTypes, transportSemantics)


def apply_guard(settings, priority: str = "cmdline") -> None:
    """Turn the rules on in ``settings``: the middleware first in line, and the resolver."""
    parse_allowed(settings.get("MORGUE_ALLOWED_NETWORKS"))  # a bad value fails before anything starts
    settings.set("MORGUE_SSRF_GUARD", True, priority=priority)
    settings.set("TWISTED_DNS_RESOLVER", "morgue.utils.ssrf.GuardedResolver", priority=priority)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    middlewares["morgue.utils.ssrf.SsrfGuardMiddleware"] = 50
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=priority)
