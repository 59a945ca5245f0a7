"""Settings shared by every environment.

Anything secret or host-specific comes from the environment.
"""

from pathlib import Path
from typing import Any

import dj_database_url

from config.settings.environment import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "auditlog",
    "tandem.core",
    "tandem.audit",
    "tandem.pwa",
    "tandem.accounts",
    "tandem.people",
    "tandem.programs",
    "tandem.participants",
    "tandem.notifications",
    "tandem.webhooks",
    "tandem.sso",
    "tandem.relationships",
    "tandem.resources",
    "tandem.actions",
    "tandem.meetings",
    "tandem.agreements",
    "tandem.goals",
    "tandem.journals",
    "tandem.conversations",
    "tandem.feedback",
    "tandem.assessments",
    "tandem.surveys",
    "tandem.journeys",
    "tandem.health",
    "tandem.nudges",
    "tandem.workspace",
    "tandem.matching",
    "tandem.analytics",
    "tandem.outcomes",
    "tandem.operations",
    "tandem.provisioning",
    "tandem.privacy",
    "tandem.demo",
]

MIDDLEWARE = [
    # Counts every request (its pair, PrometheusAfterMiddleware, is last).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id, for every log record of the request and the response's X-Request-ID.
    "tandem.operations.logs.RequestIdMiddleware",
    # /health/, /health/live and /metrics, answered before the host check and the HTTPS
    # redirect: a load balancer probes by address over plain HTTP (tandem/operations/views.py).
    "tandem.operations.views.OperationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tandem.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The signed-out reader's language: the language cookie, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts and from where, for the audit trail's entries (tandem/audit/context.py).
    "tandem.accounts.audit_context.AuditContextMiddleware",
    # The signed-in person's own language, whatever the browser asks (tandem/accounts/languages.py).
    "tandem.accounts.languages.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A lost race for rows (deadlock, lock timeout) is a 409 "try again" page, never a 500.
    "tandem.core.transactions.LockFailureMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tandem" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE for <html lang>, the page's active language.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.accounts.context_processors.navigation",
                "tandem.notifications.context_processors.unread_notifications",
                "tandem.people.context_processors.viewer_zone",
            ],
            # `{{ moment|local_time:viewer_zone }}`: the one way a time is shown to a person
            # (tandem/core/local_time.py).
            "builtins": ["tandem.core.templatetags.local_times"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; the busy timeout turns lock
    # contention into a short wait instead of an immediate "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# DATABASE_METRICS=true: django-prometheus's drop-in backends count queries, their time and
# errors for /metrics (the same Django backend underneath). Off by default: with it on, the
# outbox's SIGKILL fault test (notifications/tests/test_fault.py) saw its restarted SQLite
# worker time out, not yet understood (docs/decisions/0010-operations.md).
if env_bool("DATABASE_METRICS", False):
    DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The one backend applies the sign-in throttle, so no sign-in path (the admin included) skips it.
AUTHENTICATION_BACKENDS = ["tandem.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The languages a person can choose (`User.language`, tandem/accounts/languages.py): English
# is the source text; every other language has a complete catalogue, which a test enforces.
LANGUAGES = [("en-gb", "English"), ("es", "Español")]
# The project-level templates' catalogue (tandem/templates); each app keeps its own in
# tandem/<app>/locale, which Django finds without being listed.
LOCALE_PATHS = [BASE_DIR / "tandem" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "tandem" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: an HR export of 20,000 people is about 5 MB; leave headroom but refuse the absurd.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
PEOPLE_IMPORT_MAX_BYTES = env_int("PEOPLE_IMPORT_MAX_BYTES", 25 * 1024 * 1024)
# The largest HR outcomes file (CSV or XLSX) an admin may upload.
OUTCOMES_IMPORT_MAX_BYTES = env_int("OUTCOMES_IMPORT_MAX_BYTES", 25 * 1024 * 1024)
# HR data sync: each organisation's exports are picked up from HR_SYNC_DIR/<org slug>/ by the
# hourly job `hr_sync_folder` (unset: the folder is not watched; the API still works).
HR_SYNC_DIR = env_str("HR_SYNC_DIR", "")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tandem <tandem@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REDIS_URL = env_str("REDIS_URL", "")

if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    # The login throttle counts failures in the cache, so the cache must be shared by
    # every web process: the database cache is, with nothing else to run.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tandem_cache",
            # Django culls a third of the table past MAX_ENTRIES (300 by default), whatever the
            # entries: the analytics sections one refresh warms would then evict sign-in
            # throttle counts. Expired rows go first, so this is a ceiling, not a size.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A personal data export (GDPR) can be downloaded for this many days; then its file is deleted.
PRIVACY_EXPORT_DAYS = env_int("PRIVACY_EXPORT_DAYS", 7)
# An erasure (GDPR article 17) waits this many days after it is asked for, cancellable until
# then (a mistaken click, or second thoughts); then the hourly job erases the person.
PRIVACY_ERASURE_COOLING_OFF_DAYS = env_int("PRIVACY_ERASURE_COOLING_OFF_DAYS", 14)

# Invitations and password-reset links stop working after this many seconds.
INVITATION_MAX_AGE_SECONDS = env_int("INVITATION_MAX_AGE_SECONDS", 14 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
# Sign-in throttle (tandem/accounts/throttle.py), per (account, address): this many failures
# are free, then the pair waits the base time, doubling per further failure up to the maximum.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_BACKOFF_BASE_SECONDS = env_int("LOGIN_BACKOFF_BASE_SECONDS", 60)
LOGIN_BACKOFF_MAX_SECONDS = env_int("LOGIN_BACKOFF_MAX_SECONDS", 60 * 60)
LOGIN_FAILURE_MEMORY_SECONDS = env_int("LOGIN_FAILURE_MEMORY_SECONDS", 24 * 3600)
# One address failing across many accounts (spraying) is slowed to one try per delay, not locked.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
LOGIN_ADDRESS_WINDOW_SECONDS = env_int("LOGIN_ADDRESS_WINDOW_SECONDS", 60 * 60)
LOGIN_ADDRESS_DELAY_SECONDS = env_int("LOGIN_ADDRESS_DELAY_SECONDS", 10)
# The client's address (tandem/accounts/client_address.py): REMOTE_ADDR unless one of these
# says which proxies' X-Forwarded-For to believe: how many stand in front, or which they are.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Emails anyone may ask for, limited per address and per email address in a fixed window.
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 60 * 60)
SIGN_IN_LINK_EMAIL_LIMIT = env_int("SIGN_IN_LINK_EMAIL_LIMIT", 3)
SIGN_IN_LINK_ADDRESS_LIMIT = env_int("SIGN_IN_LINK_ADDRESS_LIMIT", 10)
SIGN_IN_LINK_WINDOW_SECONDS = env_int("SIGN_IN_LINK_WINDOW_SECONDS", 60 * 60)
# A sign-in link works once, for this long.
SIGN_IN_LINK_MAX_AGE_SECONDS = env_int("SIGN_IN_LINK_MAX_AGE_SECONDS", 15 * 60)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = (
    False  # htmx reads the token from the page, not the cookie; harmless either way
)
X_FRAME_OPTIONS = "DENY"

# Every record carries the request's id (X-Request-ID) or the task's id (tandem/operations/
# logs.py); LOG_FORMAT=json writes one JSON object per line for a log collector.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "tandem.operations.logs.ContextFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[request=%(request_id)s task=%(task_id)s] %(message)s"
        },
        "json": {"()": "tandem.operations.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pysaml2's schema library says "already loaded" at INFO on every SAML import: noise in
    # every command's output, never an operator's business.
    "loggers": {"xmlschema": {"level": "WARNING"}},
}

# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it answers 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# /health/: the scheduler's lease may be this late before the instance reports "fail"
# (HEALTH_CHECK_SCHEDULER=false where no scheduler runs), and Redis gets this long to answer.
HEALTH_CHECK_SCHEDULER = env_bool("HEALTH_CHECK_SCHEDULER", True)
HEALTH_SCHEDULER_GRACE_SECONDS = env_int("HEALTH_SCHEDULER_GRACE_SECONDS", 120)
HEALTH_CHECK_TIMEOUT_SECONDS = env_int("HEALTH_CHECK_TIMEOUT_SECONDS", 2)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Absolute links in emails and calendar feeds (the address people reach Tandem at).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Journal text is encrypted at rest (Fernet). The first key encrypts; every key decrypts, so a
# key is rotated by putting a new one first. The default is for development and tests only;
# production refuses it.
DEVELOPMENT_JOURNAL_KEY = "ZGV2ZWxvcG1lbnQtb25seS1qb3VybmFsLWtleS0wMDA="
JOURNAL_ENCRYPTION_KEYS = env_list("JOURNAL_ENCRYPTION_KEYS", DEVELOPMENT_JOURNAL_KEY)

# Webhooks (tandem/webhooks, docs/decisions/0011-webhooks.md). Calls go to public addresses over
# HTTPS only: WEBHOOKS_ALLOW_PRIVATE_TARGETS lets loopback and private addresses through (and
# plain http to loopback) for development and tests; never set it in production (`check
# --deploy` warns). A rotated secret keeps signing beside the new one this many hours.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)

# Web push (VAPID, RFC 8292): `python manage.py vapid_keys` prints a pair. Without all three,
# the push channel is not offered.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "")
# Slack's Web API (each organisation's bot token is set on its channels page); tests point the
# SDK at a loopback server.
SLACK_API_BASE_URL = env_str("SLACK_API_BASE_URL", "https://slack.com/api/")
WEBHOOKS_SECRET_OVERLAP_HOURS = env_int("WEBHOOKS_SECRET_OVERLAP_HOURS", 24)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
# An endpoint that fails this many attempts in a row is disabled and its admins are emailed.
WEBHOOKS_DISABLE_AFTER_FAILURES = env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 20)

# The audit trail (tandem/audit): django-auditlog writes its model changes into Tandem's own
# entry model, which carries the organisation. auditlog's own LogEntry is swapped out, so its
# migrations (which would create an unused table) are not run.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True
MIGRATION_MODULES = {"auditlog": None}

# Single sign-on (tandem/sso): an issuer must be https:// unless this is set (development and
# tests against a provider on loopback); how long a call to a provider may take.
SSO_ALLOW_HTTP_ISSUERS = env_bool("SSO_ALLOW_HTTP_ISSUERS", False)
SSO_HTTP_TIMEOUT_SECONDS = 10
