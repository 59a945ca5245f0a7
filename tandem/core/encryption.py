"""Private text at rest: columns that hold only Fernet ciphertext, with the keys in
JOURNAL_ENCRYPTION_KEYS (named for the journal, the first thing kept this way; every private
column uses them: journal text, mood and tags, self-assessment notes).

The first key encrypts; every key decrypts, so a new key goes first and the old ones stay
listed until `manage.py reencrypt_private_text` has rewritten every row with the new one.
Tokens are randomised, so an encrypted column cannot be searched, compared or constrained in
SQL: filter on other columns, then in Python over the few rows that belong to the caller.
"""

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("JOURNAL_ENCRYPTION_KEYS is empty: private text cannot be kept.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def private_fernet() -> MultiFernet:
    """The MultiFernet of the configured keys (read each time, so tests can swap keys)."""
    return _fernet_for(tuple(settings.JOURNAL_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return private_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return private_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "Private text cannot be decrypted with any key in JOURNAL_ENCRYPTION_KEYS."
        ) from error


class _NoSQLComparison:
    """Tokens are randomised: `note=""` in SQL would compare ciphertexts and silently match
    nothing. Only `isnull` is answered; any other lookup is an error (filter in Python)."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(_NoSQLComparison, models.TextField):
    """A TextField whose column holds a Fernet token; Python sees the plain text. Even an
    empty value is encrypted, so the column does not tell which rows are empty."""

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


class EncryptedJSONField(_NoSQLComparison, models.TextField):
    """A JSON value (a list of tags, say) kept as a Fernet token of its JSON text."""

    description = "JSON encrypted at rest (Fernet)"
    # For django-stubs: the attribute holds any JSON value, not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))


ENCRYPTED_FIELDS = (EncryptedTextField, EncryptedJSONField)


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, ENCRYPTED_FIELDS)
        ]
        if names:
            found.append((model, names))
    return found


def reencrypt_all(*, batch_size: int = 500) -> dict[str, int]:
    """Rewrite every encrypted column with the first configured key (after a key rotation):
    each row is read with any key and written with the first, in batches of `batch_size`
    rows, each batch in its own transaction. Returns how many rows per model."""
    counts: dict[str, int] = {}
    for model, names in encrypted_columns():
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                batch = list(
                    model._default_manager.select_for_update(of=("self",))
                    .filter(pk__in=ids[start : start + batch_size])
                    .order_by("pk")
                    .only("pk", *names)
                )
                model._default_manager.bulk_update(batch, names)
        counts[model._meta.label] = len(ids)
    return counts
