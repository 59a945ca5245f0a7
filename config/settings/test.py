"""The test suite: fast hashing, in-memory email, tasks run inline."""

import os
import tempfile

from config.settings.base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests' receivers listen on loopback over plain http.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
# The tests' OpenID Connect provider runs on loopback over plain http.
SSO_ALLOW_HTTP_ISSUERS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django's own backends under test: code and tests compare ENGINE with Django's names, and the
# suite needs no query metrics (tandem/operations/tests/test_metrics.py checks the
# instrumented backends on both databases).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django_prometheus.db.backends.", "django.db.backends.", 1
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the outbox fault test runs `manage.py deliver_outbox` in a subprocess
    # that must see the test database. The process id keeps concurrent runs apart (pytest-django
    # adds a suffix per xdist worker too); Django deletes the file when the run ends.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"tandem-test-{os.getpid()}.sqlite3")
    }
