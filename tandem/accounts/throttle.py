"""The sign-in throttle, and the rate limits on the emails anyone may ask for.

Failures are counted per (account, address), never per account alone, so nobody can lock
someone else out from their own address: after LOGIN_FAILURE_LIMIT failures that pair waits
LOGIN_BACKOFF_BASE_SECONDS, doubling with each further failure up to LOGIN_BACKOFF_MAX_SECONDS.
An address that fails LOGIN_ADDRESS_FAILURE_LIMIT times within LOGIN_ADDRESS_WINDOW_SECONDS
(password spraying across many accounts) is slowed to one attempt every
LOGIN_ADDRESS_DELAY_SECONDS, never locked, because an office or a proxy is many people.

Counts live in the cache, which every web process shares (see CACHES in the settings).
"""

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache

# An IPv6 client normally holds a whole /64: counting its single addresses would let it
# spray from 2**64 of them.
_IPV6_PREFIX = 64


def _address_part(address: str | None) -> str:
    if not address:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{_IPV6_PREFIX}", strict=False))
    return str(parsed)


def normalise_email(email: str) -> str:
    """Emails are one account whatever their case or surrounding spaces."""
    return email.strip().lower()


def _digest(*parts: str) -> str:
    # Hashed so that no email address is stored in the cache.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _pair_key(email: str, address: str | None) -> str:
    return "signin:pair:" + _digest(normalise_email(email), _address_part(address))


def _address_key(address: str | None) -> str:
    return "signin:addr:" + _digest(_address_part(address))


def backoff_seconds(failures: int) -> int:
    """How long a pair waits after its `failures`-th failure in a row (0 below the limit)."""
    limit = settings.LOGIN_FAILURE_LIMIT
    if failures < limit:
        return 0
    # The exponent is bounded before it is used, so a huge count cannot make a huge number.
    doublings = min(failures - limit, 32)
    return int(
        min(settings.LOGIN_BACKOFF_BASE_SECONDS * 2**doublings, settings.LOGIN_BACKOFF_MAX_SECONDS)
    )


def sign_in_wait(*, email: str, address: str | None) -> int:
    """Seconds before a password may be checked for `email` from `address`; 0 means now."""
    pair = _pair_key(email, address)
    by_address = _address_key(address)
    values = cache.get_many([f"{pair}:n", f"{pair}:at", f"{by_address}:n", f"{by_address}:at"])
    now = time.time()
    wait = 0.0
    failures = values.get(f"{pair}:n", 0)
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        last = values.get(f"{pair}:at", now)
        wait = max(wait, last + backoff_seconds(failures) - now)
    if values.get(f"{by_address}:n", 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        last = values.get(f"{by_address}:at", now)
        wait = max(wait, last + settings.LOGIN_ADDRESS_DELAY_SECONDS - now)
    return math.ceil(wait) if wait > 0 else 0


# Long enough for any password check, short enough that a crashed worker's claim soon lapses.
_CLAIM_SECONDS = 30


def sign_in_claim(*, email: str, address: str | None) -> bool:
    """Take the pair's one in-flight password check; False while another holds it.

    Without it a burst of parallel requests would all read the count before any failure
    is recorded, and all be checked. `cache.add` is atomic in every cache Tandem uses
    (Redis SET NX, the database's primary key, locmem's lock).
    """
    return cache.add(_pair_key(email, address) + ":claim", 1, timeout=_CLAIM_SECONDS)


def sign_in_release(*, email: str, address: str | None) -> None:
    cache.delete(_pair_key(email, address) + ":claim")


def _count(key: str, timeout: int) -> int:
    """Add one to a counter (atomically where the cache can) and return the new value."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def sign_in_failed(*, email: str, address: str | None) -> None:
    """Count a wrong password for the pair and for the address."""
    now = time.time()
    pair = _pair_key(email, address)
    memory = settings.LOGIN_FAILURE_MEMORY_SECONDS
    _count(f"{pair}:n", memory)
    cache.touch(f"{pair}:n", memory)  # remembered for as long after the latest failure
    cache.set(f"{pair}:at", now, timeout=memory)
    by_address = _address_key(address)
    window = settings.LOGIN_ADDRESS_WINDOW_SECONDS
    _count(f"{by_address}:n", window)
    cache.set(f"{by_address}:at", now, timeout=window)


def sign_in_succeeded(*, email: str, address: str | None) -> None:
    """The right password from this address: its pair starts afresh (the address does not)."""
    pair = _pair_key(email, address)
    cache.delete_many([f"{pair}:n", f"{pair}:at"])


def rate_limit_take(*, scope: str, subject: str, limit: int, window_seconds: int) -> bool:
    """Use one of `limit` allowances for `subject` in a fixed window; False once they are used.

    For requests that send an email (a password reset, a sign-in link), where every request
    counts, not only failures.
    """
    key = f"rate:{scope}:" + _digest(subject)
    return _count(key, window_seconds) <= limit


def address_subject(address: str | None) -> str:
    """The subject an address is rate limited as (an IPv6 /64 as one)."""
    return _address_part(address)
