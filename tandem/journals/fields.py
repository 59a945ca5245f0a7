"""The journal's encrypted text column. The machinery moved down to `tandem.core.encryption`
(self-assessment notes use it too); this name stays because migration 0001 refers to it."""

from tandem.core.encryption import (
    EncryptedJSONField,
    EncryptedTextField,
    decrypt_text,
    encrypt_text,
    private_fernet,
)

# The journal's former name for the shared key ring.
journal_fernet = private_fernet

__all__ = [
    "EncryptedJSONField",
    "EncryptedTextField",
    "decrypt_text",
    "encrypt_text",
    "journal_fernet",
    "private_fernet",
]
