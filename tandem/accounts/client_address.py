"""The one answer to "which address is this request from?", for throttles and rate limits.

REMOTE_ADDR is the peer that opened the connection. Behind a reverse proxy that is the proxy,
and the client is in X-Forwarded-For, which anybody can also send. So the header is honoured
only as far as the settings say to trust it:

- TRUSTED_PROXY_COUNT = n: exactly n proxies stand in front of Tandem, each appending the
  address it received the request from, so the client is the n-th entry from the right.
- TRUSTED_PROXIES = addresses or networks of the proxies: walk the chain from REMOTE_ADDR
  leftwards while the hop is one of them; the first hop that is not is the client.

With neither, or when the header is missing, short or malformed, the answer is REMOTE_ADDR.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(value: str | None) -> str | None:
    """The address in canonical form, or None when it is not an IP address."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES parsed; a malformed entry is a configuration error, not a silent skip."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES has {entry!r}, which is not an IP address or network."
            ) from exc
    return tuple(networks)


def _is_trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as far as the configured proxies can vouch for it."""
    if request is None:
        return None
    remote = _parse(request.META.get("REMOTE_ADDR"))
    count: int = settings.TRUSTED_PROXY_COUNT
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if remote is None or (count <= 0 and not networks):
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if count > 0:
        # Fewer entries than proxies means the request did not come through all of them:
        # nothing in the header can be vouched for.
        if len(forwarded) < count:
            return remote
        return _parse(forwarded[-count]) or remote
    hop = remote
    for candidate in reversed(forwarded):
        if not _is_trusted(hop, networks):
            return hop
        parsed = _parse(candidate)
        if parsed is None:
            # A trusted proxy would not write garbage: what is left of it came from outside.
            return hop
        hop = parsed
    return hop
