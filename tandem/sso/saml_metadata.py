"""Fetching a SAML identity provider's metadata from the URL an admin gives, through core's
one outbound guard (`tandem.core.outbound`: every address public, the connection pinned to the
checked address against DNS rebinding, no redirects), with the body capped. Loopback and
plain http are allowed only where plain-http issuers are (`SSO_ALLOW_HTTP_ISSUERS`,
development and tests).
"""

from urllib.parse import urlsplit

from django.conf import settings

from tandem.core import outbound

METADATA_MAX_BYTES = 1024 * 1024


def metadata_fetch(url: str, *, allow_http: bool) -> str:
    """The XML at `url`. ValueError, with a message for the admin, when the URL may not be
    fetched or answers no document."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
        raise ValueError("The metadata URL must be an https:// URL.")
    if not parts.hostname or parts.username or parts.password:
        raise ValueError("The metadata URL needs a host and no credentials.")
    try:
        status, body = outbound.get(
            url=url,
            headers={"Accept": "application/samlmetadata+xml"},
            timeout=settings.SSO_HTTP_TIMEOUT_SECONDS,
            max_bytes=METADATA_MAX_BYTES,
            private_ok=allow_http,
        )
    except outbound.TargetRefused as error:
        raise ValueError(
            f"{parts.hostname} is not a public address: Tandem will not fetch it."
        ) from error
    except outbound.NotSent as error:
        raise ValueError("The metadata URL could not be fetched.") from error
    if status != 200:
        raise ValueError(f"The metadata URL answered {status}, not the metadata.")
    if len(body) > METADATA_MAX_BYTES:
        raise ValueError("The metadata is larger than 1 MB.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError("The metadata is not UTF-8 text.") from error
