"""Which network addresses newswatch may connect to (server-side request forgery).

A feed, a search result or a redirect can name any URL. Loopback, private, link-local (cloud metadata at
169.254.169.254), carrier-grade NAT and other special-purpose addresses are refused unless `[fetch]
allow_networks` names them. The check runs on the resolved address of every connection: a host is resolved
once, every address it resolves to is checked, and the connection is made to an address that was checked, so a
name that resolves differently the second time (DNS rebinding) cannot slip through. Never raises for a public
address; never resolves twice.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Refused unless allowed, with the reason given in the error. IANA's special-purpose registries, less the
# ranges that are globally reachable; IPv6 forms that embed an IPv4 address are checked as that address.
REFUSED_NETWORKS: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(cidr), reason)
    for cidr, reason in (
        ("0.0.0.0/8", "this host (0.0.0.0)"),
        ("10.0.0.0/8", "private network"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata)"),
        ("172.16.0.0/12", "private network"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private network"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved (and broadcast)"),
        ("::/128", "unspecified (::)"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "unique local (private network)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(Exception):
    """A connection refused because its address is not allowed; raised before any packet is sent to it."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        named = f"{address} is" if host == address else f"{host} resolves to {address},"
        super().__init__(f"{named} {reason}: refused (allow it with [fetch] allow_networks)")
        self.host = host
        self.address = address
        self.reason = reason


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64), or None."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address, allowed: Iterable[Network] = ()) -> str | None:
    """Why newswatch must not connect to `address` (a reason such as "loopback"), or None when it may."""
    allowed = tuple(allowed)
    inner = embedded_ipv4(address)
    candidates: list[Address] = [address] if inner is None else [address, inner]
    if any(a.version == n.version and a in n for a in candidates for n in allowed):
        return None
    for candidate in candidates:
        for network, reason in REFUSED_NETWORKS:
            if candidate.version == network.version and candidate in network:
                return reason
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to for a TCP connection, in the resolver's order, each once.

    The one place newswatch asks DNS; tests replace it to map a name to an address (no DNS server runs here).
    Raises socket.gaierror when the name does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int, allowed: Iterable[Network] = ()) -> list[str]:
    """Resolve `host` once and return its addresses; BlockedAddress when any of them is refused.

    Every address is checked, not only the first: a name that mixes a public and a private address is refused
    as a whole, so the order the resolver gives cannot matter.
    """
    allowed = tuple(allowed)
    addresses = resolve(host.strip("[]"), port)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
        reason = refusal(address, allowed)
        if reason is not None:
            raise BlockedAddress(host, text, reason)
    return addresses
