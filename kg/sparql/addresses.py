"""Which addresses an outbound request may reach: SERVICE endpoints and source downloads.

Loopback, private, link-local, non-global, multicast, reserved and unspecified addresses
are refused (the first four allowed with ``allow_private``); cloud metadata addresses
always. A host is judged by every address it resolves to, and an IPv6 address by the IPv4
address it carries (mapped, compatible, 6to4, NAT64, Teredo).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]


#: Instance metadata services (AWS, Azure, GCP, OCI, DigitalOcean…, AWS ECS/EKS, Alibaba,
#: Oracle Cloud Classic). Refused even with KG_SERVICE_ALLOW_PRIVATE.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")


def _ipv4_number(label: str) -> int:
    """One label of an IPv4 host as ``inet_aton`` and URL parsers read it."""
    if label[:2] in ("0x", "0X"):
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)
    return int(label, 10)


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells out, in any form a URL parser accepts; else None.

    ``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1`` and ``::1`` (the
    host of ``[::1]``) are all addresses. A host whose last label is numeric but which is
    no valid IPv4 address raises ValueError: URL parsers refuse it or read it their way.
    """
    if ":" in host:
        return ipaddress.IPv6Address(host.split("%", 1)[0])
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    if len(labels) > 4 or not all(_NUMERIC_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{host!r} is neither a host name nor a valid IPv4 address")
    try:
        numbers = [_ipv4_number(label) for label in labels]
    except ValueError:
        raise ValueError(f"{host!r} is not a valid IPv4 address") from None
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def effective(address: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address it carries (mapped, compatible, 6to4, NAT64…)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if int(address) >> 32 == 0 and not (address.is_loopback or address.is_unspecified):
        return [ipaddress.IPv4Address(int(address))]  # IPv4-compatible ::a.b.c.d
    carried = [address]
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.extend(address.teredo)
    return carried


def why_not(address: IPAddress, allow_private: bool) -> str | None:
    """Why SERVICE may not reach ``address``, or None if it may."""
    for a in effective(address):
        if a in METADATA_ADDRESSES:
            return "a cloud metadata address"
        if a.is_unspecified:
            return "the unspecified address"
        if allow_private:
            if a.is_loopback or a.is_link_local:
                continue
            if a.is_multicast:
                return "a multicast address"
            if a.is_reserved:
                return "a reserved address"
            continue
        if a.is_loopback:
            return "a loopback address"
        if a.is_link_local:
            return "a link-local address"
        if a.is_multicast:
            return "a multicast address"
        if a.is_reserved:
            return "a reserved address"
        if a.is_private:
            return "a private address"
        if not a.is_global:
            return "a non-public address"
    return None


def addresses_of(host: str, port: int, resolve: Resolver) -> list[IPAddress]:
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return [ipaddress.IPv4Address("127.0.0.1")]  # RFC 6761: never asked of DNS
    try:
        infos = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise LookupError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = []
    for info in infos:
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except (ValueError, IndexError, TypeError):
            raise LookupError(f"host {host!r} resolves to an unusable address {info!r}") from None
    if not addresses:
        raise LookupError(f"host {host!r} resolves to no address")
    return addresses


def address_refusal(
    host: str, port: int, *, allow_private: bool = False, resolve: Resolver = socket.getaddrinfo
) -> str | None:
    """Why a connection to ``host`` must not be made, or None when every address is public.

    The same rules as for SERVICE endpoints (loopback, private, link-local… refused unless
    ``allow_private``; metadata addresses always), for other outbound requests such as
    source downloads (:mod:`loaders.fetch`).
    """
    try:
        literal = literal_address(host)
        addresses = [literal] if literal else addresses_of(host, port, resolve)
    except (ValueError, LookupError) as exc:
        return str(exc)
    for address in addresses:
        why = why_not(address, allow_private)
        if why:
            return f"{host} resolves to {address}, {why}"
    return None
