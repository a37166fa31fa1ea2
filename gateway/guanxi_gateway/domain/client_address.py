"""The client's address: the connection's peer, or what trusted proxies say in X-Forwarded-For.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as
trusted proxies vouch for it: starting from the peer, each address that is a trusted proxy
hands over to the hop it names before itself (the rightmost entry not yet used), and the
first address that is not a trusted proxy is the client. A gateway with no trusted proxies
configured ignores the header entirely.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.0/8, 192.168.1.7, ::1' -> networks; a bad entry raises ValueError naming it."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {item!r}") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return mapped or address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(peer: str, forwarded_for: Iterable[str],
                   trusted: tuple[Network, ...]) -> str:
    """The client's address, given the peer, the X-Forwarded-For values in the order they came,
    and the trusted proxies."""
    current = _address(peer)
    if current is None or not trusted or not _trusted(current, trusted):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        named = _address(hop)
        if named is None:  # junk a trusted proxy passed on: the last vouched-for hop stands
            break
        current = named
        if not _trusted(current, trusted):
            break
    return str(current)
