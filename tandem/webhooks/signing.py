"""Standard Webhooks signatures (https://www.standardwebhooks.com), made by the
`standardwebhooks` library: `webhook-id`, `webhook-timestamp` and `webhook-signature`, the last
holding one `v1,<base64>` per secret that signs (two while a rotation overlaps)."""

import base64
import datetime
import math
import secrets
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def secret_new() -> str:
    """A fresh signing secret: "whsec_" and 32 random bytes in base64 (the spec's format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signed_headers(
    *, signing_secrets: Sequence[str], message_id: str, at: datetime.datetime, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed by every secret given."""
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in signing_secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
