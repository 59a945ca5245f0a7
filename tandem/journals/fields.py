"""A text column that holds only ciphertext: Fernet with the keys in JOURNAL_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key goes first and the old ones stay
listed until `manage.py journal_reencrypt` has rewritten every row with the new one.
"""

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("JOURNAL_ENCRYPTION_KEYS is empty: journal text cannot be kept.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def journal_fernet() -> MultiFernet:
    """The MultiFernet of the configured keys (read each time, so tests can swap keys)."""
    return _fernet_for(tuple(settings.JOURNAL_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return journal_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return journal_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "Journal text cannot be decrypted with any key in JOURNAL_ENCRYPTION_KEYS."
        ) from error


class EncryptedTextField(models.TextField):
    """A TextField whose column holds a Fernet token; Python sees the plain text.

    Tokens are randomised, so the column cannot be searched or compared: filter on other fields.
    """

    description = "Text encrypted at rest (Fernet)"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return decrypt_text(value)
