"""Production: every secret from the environment, HTTPS everywhere, hashed static files."""

from config.settings.base import *
from config.settings.environment import env_bool, env_int, env_list, env_str
from config.settings.validation import (
    validate_journal_keys,
    validate_metrics_token,
    validate_secret_key,
    validate_trusted_proxies,
)

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
validate_secret_key(SECRET_KEY)

JOURNAL_ENCRYPTION_KEYS = env_list("JOURNAL_ENCRYPTION_KEYS", "")
validate_journal_keys(JOURNAL_ENCRYPTION_KEYS, development_key=DEVELOPMENT_JOURNAL_KEY)
validate_trusted_proxies(TRUSTED_PROXY_COUNT, TRUSTED_PROXIES)
validate_metrics_token(METRICS_TOKEN)

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
