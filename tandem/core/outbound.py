"""The one way Tandem calls a URL someone else gave it (a webhook endpoint, a Teams Workflows
webhook, a SAML identity provider's metadata): checked against SSRF, pinned to the checked
address, and (POST) sent so that a crash can lose a call but never make it twice. It lives in
core so that every app calling out shares one guard (webhooks, notifications' Teams channel,
sso's metadata fetch).

SSRF guard: the host is resolved once and every address it resolves to must be public
(`ipaddress.is_global`); the connection goes to that checked address (TLS still verifies the
host's name), so a second DNS answer cannot point it elsewhere (DNS rebinding). Redirects are
not followed. `settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS` (development and tests only) lets
loopback and private addresses through, and plain http to loopback; a caller with its own such
setting passes `private_ok` instead.

At most once: the request line, the headers and the body but its last byte are sent, then
`commit()` records the delivery as sent, and only then the last byte lets the receiver read a
complete request (a request without its last byte is never processed: its Content-Length is
not met). The email outbox does the same with SMTP's final dot (decision record 0006).
"""

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from tandem.core.errors import FieldError
from tandem.core.text import single_line_problem

# The response body is read up to this many bytes (then dropped: only the code is kept).
_RESPONSE_READ_MAX = 64 * 1024


class TargetRefused(Exception):
    """The URL may not be called (scheme, or an address that is not public)."""


class NotSent(Exception):
    """The call failed before the receiver could read a complete request: safe to retry."""


class OutcomeUnknown(Exception):
    """The complete request went out but no answer came: it may have been processed."""


@dataclass(frozen=True)
class Answer:
    status: int


def allow_private() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)


def _private(private_ok: bool | None) -> bool:
    return allow_private() if private_ok is None else private_ok


def _address_allowed(address: str, private_ok: bool | None = None) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # Link-local (169.254.169.254: the cloud's metadata service) is refused even in development.
    if ip.is_link_local:
        return False
    return ip.is_global or (_private(private_ok) and (ip.is_private or ip.is_loopback))


def _is_loopback_name(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_errors(url: str, *, field: str = "url", private_ok: bool | None = None) -> list[FieldError]:
    """What is wrong with `url` as a target, before any DNS: https (http only for loopback
    where private targets are allowed), a host, no credentials, and no literal address that
    is not public."""
    private = _private(private_ok)
    url = url.strip()
    if single_line_problem(url) or " " in url:
        return [FieldError(field, "A URL has no spaces, line breaks or control characters.")]
    if len(url) > 500:
        return [FieldError(field, "The URL is too long (at most 500 characters).")]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [FieldError(field, "This is not a URL.")]
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return [FieldError(field, "Give an https:// URL with a host name.")]
    if parts.scheme == "http" and not (private and _is_loopback_name(host)):
        return [FieldError(field, "Tandem calls out over HTTPS only: use an https:// URL.")]
    if parts.username or parts.password:
        return [FieldError(field, "Leave credentials out of the URL.")]
    if parts.fragment:
        return [FieldError(field, "Leave the #fragment out of the URL.")]
    if port == 0:
        return [FieldError(field, "The port must be between 1 and 65535.")]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if _is_loopback_name(host) and not private:
            return [FieldError(field, "Tandem may not call this server itself.")]
        return []
    if not _address_allowed(host, private):
        return [FieldError(field, "Tandem may not call private, loopback or reserved addresses.")]
    return []


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests replace it to stand in for DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def checked_address(url: str, *, private_ok: bool | None = None) -> tuple[str, int, str]:
    """The (host, port, address) to call for `url`: refused unless its scheme is allowed and
    every address its host resolves to is allowed (one private answer refuses the lot)."""
    errors = url_errors(url, private_ok=private_ok)
    if errors:
        raise TargetRefused(errors[0].message)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except OSError as error:
        raise NotSent(f"DNS: {error}") from error
    if not addresses:
        raise NotSent(f"DNS: {host} has no address")
    refused = [address for address in addresses if not _address_allowed(address, private_ok)]
    if refused:
        raise TargetRefused(f"{host} resolves to an address that is not public ({refused[0]}).")
    return host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    *,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    commit: Callable[[], bool],
    timeout: float,
) -> Answer | None:
    """POST `body` to `url` at most once. Returns the answer, or None when `commit()` said no
    (the lease was lost: the receiver never read a complete request). Raises TargetRefused
    or NotSent when nothing was delivered, OutcomeUnknown when the request was complete but no
    answer came."""
    host, port, address = checked_address(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    try:
        try:
            connection.putrequest("POST", path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(body)))
            if "User-Agent" not in headers:
                connection.putheader("User-Agent", "Tandem-Webhooks/1")
            connection.endheaders(body[:-1])
        except (OSError, http.client.HTTPException) as error:
            raise NotSent(repr(error)) from error
        if not commit():
            return None
        try:
            connection.send(body[-1:])
        except (OSError, http.client.HTTPException) as error:
            raise NotSent(repr(error)) from error
        try:
            response = connection.getresponse()
            response.read(_RESPONSE_READ_MAX)
        except (OSError, http.client.HTTPException) as error:
            raise OutcomeUnknown(repr(error)) from error
        return Answer(status=response.status)
    finally:
        connection.close()


def get(
    *,
    url: str,
    headers: Mapping[str, str],
    timeout: float,
    max_bytes: int,
    private_ok: bool | None = None,
) -> tuple[int, bytes]:
    """GET `url` through the same guard, no redirect followed: the status and at most
    `max_bytes` + 1 bytes of the body (a longer body is known by its length). Raises
    TargetRefused or NotSent."""
    host, port, address = checked_address(url, private_ok=private_ok)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.read(max_bytes + 1)
    except (OSError, http.client.HTTPException) as error:
        raise NotSent(repr(error)) from error
    finally:
        connection.close()
