"""The client's IP address: from the socket, or from proxies the operator trusts.

``X-Forwarded-For`` is a list every proxy appends to, so anyone can write
whatever they like at its *left* end. Only the entries added by proxies you
run can be believed, and those are at the *right* end. :class:`TrustedProxies`
walks the header from the right, skipping addresses of trusted proxies, and
takes the first address that is not one of them (the "rightmost untrusted"
rule). When the socket peer itself is not a trusted proxy, the header is
ignored entirely: the peer is the client.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from attrs import field, frozen

from suo.errors import ConfigurationError

__all__ = ["TrustedProxies", "parse_ip"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_MAX_HOPS = 64
"""Entries of X-Forwarded-For looked at, at most (a bound against huge headers)."""


@functools.lru_cache(maxsize=8192)
def parse_ip(text: str) -> str | None:
    """The IP address in one ``X-Forwarded-For`` entry or socket address, normalised.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]:443``
    and IPv4-mapped IPv6 (``::ffff:1.2.3.4`` becomes ``1.2.3.4``). Anything else
    (``unknown``, an obfuscated token, garbage) gives ``None``. Cached: the
    same addresses come back request after request.

    Example:
        >>> parse_ip(" [2001:DB8::1]:443 "), parse_ip("10.0.0.7:8080"), parse_ip("unknown")
        ('2001:db8::1', '10.0.0.7', None)
    """
    s = text.strip()
    if not s or len(s) > 64:
        return None
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            return None
        s = s[1:end]
    elif s.count(":") == 1:  # IPv4 with a port; bare IPv6 has two or more colons
        s = s.split(":", 1)[0]
    try:
        addr: _Address = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return str(addr)


def _network(spec: str) -> _Network:
    try:
        return ipaddress.ip_network(spec.strip(), strict=False)
    except ValueError:
        raise ConfigurationError(
            f"trusted proxy {spec!r} is not an IP address or network; "
            "give addresses or CIDR blocks such as 10.0.0.5, 10.0.0.0/8 or fd00::/8"
        ) from None


def _networks(specs: Iterable[str | _Network]) -> tuple[_Network, ...]:
    if isinstance(specs, str):
        specs = [specs]
    out: list[_Network] = []
    for spec in specs:
        if isinstance(spec, ipaddress.IPv4Network | ipaddress.IPv6Network):
            out.append(spec)
        elif spec.strip() and spec.strip() != "unix":
            out.append(_network(spec))
    return tuple(out)


def _trusts_unix(specs: Iterable[str]) -> bool:
    if isinstance(specs, str):
        specs = [specs]
    return any(s.strip() == "unix" for s in specs)


@frozen
class TrustedProxies:
    """Which peers may tell the client's address in ``X-Forwarded-For``.

    Attributes:
        networks: addresses or CIDR blocks of your own proxies and load
            balancers (``"127.0.0.1"``, ``"10.0.0.0/8"``, ``"fd00::/8"``), and
            ``"unix"`` to trust a peer on a Unix socket (no address). Empty
            (the default): trust nobody, always use the socket address.

    Example:
        >>> p = TrustedProxies(["10.0.0.0/8"])
        >>> p.client_ip("10.1.2.3", "203.0.113.9, 10.0.0.2")
        '203.0.113.9'
        >>> p.client_ip("10.1.2.3", "6.6.6.6, 203.0.113.9")  # 6.6.6.6 was written by the client
        '203.0.113.9'
        >>> p.client_ip("198.51.100.4", "1.1.1.1")  # not our proxy: the header is ignored
        '198.51.100.4'
    """

    networks: tuple[_Network, ...] = field(default=(), converter=_networks)
    unix: bool = field(default=False)

    @classmethod
    def of(cls, specs: Iterable[str] | None) -> TrustedProxies:
        """Build from option strings, where ``"unix"`` trusts Unix-socket peers.

        Example:
            >>> TrustedProxies.of(["unix", "127.0.0.1"]).unix
            True
        """
        specs = list(specs or ())
        return cls(specs, unix=_trusts_unix(specs))

    def trusts(self, ip: str | None) -> bool:
        """True when ``ip`` (``None``: a Unix-socket peer) is one of the trusted proxies."""
        if ip is None:
            return self.unix
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in self.networks)

    def client_ip(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The client's address for a request from ``peer`` with this ``X-Forwarded-For``.

        ``forwarded_for`` is the header value; several headers are joined
        with ``", "`` first (as WSGI servers do). Walking right to left, the
        first entry that is not a trusted proxy is the client. An entry that
        is not an IP address ends the walk: the request is then treated as
        coming from the trusted hop that reported it, since nothing further
        left can be believed. When every entry is trusted, the leftmost is
        the client.
        """
        peer_ip = parse_ip(peer) if peer is not None else None
        if peer is not None and peer_ip is None:
            return None
        if not forwarded_for or not self.trusts(peer_ip):
            return peer_ip
        entries = forwarded_for.split(",")[-_MAX_HOPS:]
        current = peer_ip
        for raw in reversed(entries):
            ip = parse_ip(raw)
            if ip is None:
                return current
            current = ip
            if not self.trusts(ip):
                return ip
        return current
