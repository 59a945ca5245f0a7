"""Production: every secret from the environment, HTTPS everywhere, hashed static files."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *
from config.settings.environment import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")

JOURNAL_ENCRYPTION_KEYS = env_list("JOURNAL_ENCRYPTION_KEYS", "")
if not JOURNAL_ENCRYPTION_KEYS or DEVELOPMENT_JOURNAL_KEY in JOURNAL_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "JOURNAL_ENCRYPTION_KEYS must hold your own Fernet key(s) in production: "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a one-way commitment for the whole domain and its subdomains, which a
# self-hosting organisation must choose knowingly (SECURE_HSTS_PRELOAD=true), not by default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
