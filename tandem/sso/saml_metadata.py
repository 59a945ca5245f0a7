"""Fetching a SAML identity provider's metadata from the URL an admin gives, without letting
that URL reach inside Tandem's network (SSRF).

The host is resolved once; every address must be public (`ipaddress.is_global`); the request
goes to that checked address, so a second DNS answer cannot point elsewhere (DNS rebinding);
redirects are not followed; the body is capped. The same rules as webhooks' transport, which
sso may not import (docs/architecture.md): loopback is allowed only where plain-http issuers
are (`SSO_ALLOW_HTTP_ISSUERS`, development and tests).
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

METADATA_MAX_BYTES = 1024 * 1024


def _address_allowed(address: str, *, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return False  # the cloud's metadata service, even in development
    return ip.is_global or (allow_loopback and ip.is_loopback)


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace it to stand in for DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class _Pinned(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedPlain(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def metadata_fetch(url: str, *, allow_http: bool) -> str:
    """The XML at `url`. ValueError, with a message for the admin, when the URL may not be
    fetched or answers no document."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
        raise ValueError("The metadata URL must be an https:// URL.")
    if not parts.hostname or parts.username or parts.password:
        raise ValueError("The metadata URL needs a host and no credentials.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(parts.hostname, port)
    except OSError as error:
        raise ValueError(f"{parts.hostname} could not be resolved.") from error
    if not addresses or not all(
        _address_allowed(address, allow_loopback=allow_http) for address in addresses
    ):
        raise ValueError(f"{parts.hostname} is not a public address: Tandem will not fetch it.")
    connection_class = _Pinned if parts.scheme == "https" else _PinnedPlain
    connection = connection_class(
        parts.hostname, port, address=addresses[0], timeout=settings.SSO_HTTP_TIMEOUT_SECONDS
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"Accept": "application/samlmetadata+xml"})
        response = connection.getresponse()
        body = response.read(METADATA_MAX_BYTES + 1)
    except (OSError, http.client.HTTPException) as error:
        raise ValueError("The metadata URL could not be fetched.") from error
    finally:
        connection.close()
    if response.status != 200:
        raise ValueError(f"The metadata URL answered {response.status}, not the metadata.")
    if len(body) > METADATA_MAX_BYTES:
        raise ValueError("The metadata is larger than 1 MB.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError("The metadata is not UTF-8 text.") from error
