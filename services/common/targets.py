"""gRPC targets from *_ADDR values: one address, a comma-separated list of IP addresses, or a resolver URI."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# Resolver schemes whose every resolved address is a server to balance over.
BALANCED_SCHEMES = ("dns:", "ipv4:", "ipv6:")


@dataclass(frozen=True)
class Target:
    """What a channel connects to, and whether its calls are spread round-robin over several servers."""

    uri: str
    balanced: bool


def grpc_target(address: str) -> Target:
    """The target for an address: `host:port` as it is, `ip:port,ip:port` as an ipv4:/ipv6: list, `dns:///name:port` balanced."""
    value = address.strip()
    if not value:
        raise ValueError("empty address")
    if "," in value and not value.startswith(BALANCED_SCHEMES):
        return Target(_ip_list(value), True)
    return Target(value, value.startswith(BALANCED_SCHEMES))


def _ip_list(value: str) -> str:
    """`ipv4:a:p,b:p` or `ipv6:[a]:p,[b]:p` for a comma-separated list of IP literals with ports."""
    families = set()
    entries = []
    for raw in value.split(","):
        entry = raw.strip()
        host, sep, port = entry.rpartition(":")
        if not entry or not sep or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"list entry {entry!r} is not IP:PORT with a port from 1 to 65535")
        try:
            ip = ipaddress.ip_address(host[1:-1] if host.startswith("[") and host.endswith("]") else host)
        except ValueError:
            raise ValueError(f"list entry {entry!r} is not an IP address; to balance over the addresses of a name use dns:///NAME:PORT") from None
        families.add(ip.version)
        entries.append(f"{ip}:{port}" if ip.version == 4 else f"[{ip}]:{port}")
    if len(families) > 1:
        raise ValueError("a list mixes IPv4 and IPv6 addresses; use one family")
    return f"ipv{families.pop()}:" + ",".join(entries)
