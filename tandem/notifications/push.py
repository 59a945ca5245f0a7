"""Web push (RFC 8030/8291/8292) through `pywebpush`: the message Tandem's service worker shows,
encrypted to each of the person's browsers and signed with the installation's VAPID key.

The payload is the contract with `/sw.js`: JSON {title, body, url, tag}; the service worker
shows title and body and opens url on a click. `tag` is the outbox key, so a message delivered
twice (a worker died between the push service's answer and the commit) replaces itself on the
screen rather than showing twice.
"""

import base64
import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils.translation import gettext
from pywebpush import WebPushException, webpush

from tandem.core.errors import FieldError
from tandem.core.links import absolute_url

# Seconds a push service keeps a message for a browser that is offline.
TTL_SECONDS = 24 * 3600
TIMEOUT_SECONDS = 10.0


class PushNotConfigured(Exception):
    """VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT are not all set."""


@dataclass(frozen=True)
class PushTarget:
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushOutcome:
    delivered: int
    # Subscriptions the push service no longer knows (404/410): to delete.
    gone: list[int]
    errors: list[str]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_key_pair() -> tuple[str, str]:
    """A new VAPID key pair (P-256) as the environment takes it: (public, private), both
    base64url without padding: the public key's uncompressed point (what a browser's
    `applicationServerKey` takes) and the private key's 32-byte scalar."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(scalar)


def vapid_public_key() -> str:
    """The public key browsers subscribe with; empty when push is not configured."""
    return str(settings.VAPID_PUBLIC_KEY or "")


def push_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


def push_payload(*, title: str, body: str, path: str, tag: str) -> dict[str, str]:
    """The JSON the service worker shows; `path` made absolute (a push is read outside a page)."""
    return {
        "title": title,
        "body": body[:1000],
        "url": absolute_url(path or "/notifications/"),
        "tag": tag,
    }


def push_send(*, targets: list[PushTarget], payload: dict[str, str]) -> PushOutcome:
    """Encrypt `payload` (aes128gcm) to every target and post it with a VAPID signature whose
    audience is the endpoint's origin. Never raises for one target's failure: the outcome says
    how many push services accepted, which subscriptions are gone and what failed."""
    if not push_configured():
        raise PushNotConfigured("Set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT.")
    data = json.dumps(payload)
    delivered, gone, errors = 0, [], []
    for target in targets:
        try:
            webpush(
                subscription_info={
                    "endpoint": target.endpoint,
                    "keys": {"p256dh": target.p256dh, "auth": target.auth},
                },
                data=data,
                vapid_private_key=str(settings.VAPID_PRIVATE_KEY),
                vapid_claims={"sub": str(settings.VAPID_SUBJECT)},
                ttl=TTL_SECONDS,
                timeout=TIMEOUT_SECONDS,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in (404, 410):
                gone.append(target.subscription_id)
            else:
                errors.append(f"{target.endpoint[:80]}: {status or error.message}")
        except Exception as error:  # a refused connection, a timeout, a malformed key
            errors.append(f"{target.endpoint[:80]}: {error!r}")
        else:
            delivered += 1
    return PushOutcome(delivered=delivered, gone=gone, errors=errors)


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def push_endpoint_errors(endpoint: str) -> list[FieldError]:
    """What is wrong with a push service's endpoint a browser handed over: it must be an https
    URL of a public host (push services are public); http and private or loopback hosts only
    where `WEBHOOKS_ALLOW_PRIVATE_TARGETS` allows them (development and tests)."""
    if not endpoint or len(endpoint) > 1000 or any(c in endpoint for c in "\r\n\t "):
        return [
            FieldError(
                "endpoint",
                gettext("Give the push service's URL (one line, 1000 characters at most)."),
            )
        ]
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    allow_private = bool(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_private):
        return [FieldError("endpoint", gettext("A push endpoint must be an https URL."))]
    if not host:
        return [FieldError("endpoint", gettext("The URL has no host."))]
    if _private_host(host) and not allow_private:
        return [FieldError("endpoint", gettext("A push endpoint must be on a public host."))]
    return []
