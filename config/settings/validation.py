"""Checks production runs at start, so a weak or broken secret stops the process, not a request.

Plain functions over values, so tests can run them over any key without reloading settings.
"""

import base64
import ipaddress

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# The same thresholds as Django's own deploy check (security.W009), made fatal.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
_INSECURE_PREFIXES = ("django-insecure", "insecure")

_FERNET_HINT = (
    "Make one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


def validate_secret_key(key: str) -> None:
    """Refuse a SECRET_KEY that is short, repetitive, or one of the known insecure defaults."""
    if key.startswith(_INSECURE_PREFIXES):
        raise ImproperlyConfigured(
            "SECRET_KEY is a development default; set a long random value in production."
        )
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY has {len(key)} characters; production needs at least "
            f"{SECRET_KEY_MIN_LENGTH} random ones."
        )
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"SECRET_KEY uses {len(set(key))} different characters; production needs at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} (a random value has many more)."
        )


def validate_journal_keys(keys: list[str], *, development_key: str) -> None:
    """Refuse journal keys that are missing, not Fernet keys, repeated, or the development key.

    Checked at start because a bad key otherwise fails only when someone writes or reads a
    journal entry, and a duplicated one hides that rotation was not done.
    """
    if not keys:
        raise ImproperlyConfigured(
            "JOURNAL_ENCRYPTION_KEYS must hold your own Fernet key(s) in production. "
            + _FERNET_HINT
        )
    development = base64.urlsafe_b64decode(development_key.encode())
    seen: set[bytes] = set()
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"JOURNAL_ENCRYPTION_KEYS key {position} is not a Fernet key (32 bytes, "
                "url-safe base64). " + _FERNET_HINT
            ) from exc
        # Compared as the decoded bytes: base64 decoding skips stray characters, so two
        # spellings can be one key.
        raw = base64.urlsafe_b64decode(key.encode())
        if raw == development:
            raise ImproperlyConfigured(
                f"JOURNAL_ENCRYPTION_KEYS key {position} is the development key, which is "
                "public; use your own. " + _FERNET_HINT
            )
        if raw in seen:
            raise ImproperlyConfigured(
                f"JOURNAL_ENCRYPTION_KEYS key {position} repeats an earlier key; list each "
                "key once, the one that encrypts first."
            )
        seen.add(raw)


def validate_trusted_proxies(count: int, proxies: list[str]) -> None:
    """Refuse a proxy setting that would be misread on the first sign-in instead of at start."""
    if count < 0:
        raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")
    if count and proxies:
        raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXIES, not both.")
    for entry in proxies:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES has {entry!r}, which is not an IP address or network."
            ) from exc


METRICS_TOKEN_MIN_LENGTH = 32


def validate_metrics_token(token: str) -> None:
    """/metrics is off without a token; with one, it must be long enough not to be guessed
    (it is compared in constant time, and the endpoint is not rate limited)."""
    if token and len(token) < METRICS_TOKEN_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"METRICS_TOKEN has {len(token)} characters; it needs at least "
            f"{METRICS_TOKEN_MIN_LENGTH} random ones (python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'), or leave it unset to turn /metrics off."
        )
