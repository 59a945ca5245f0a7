"""Development and the demo: debug on (the demo turns it off), emails written to a folder."""

from config.settings.base import *
from config.settings.environment import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Static files straight from the source folders, debug or not: `make demo` runs with DEBUG off
# (so a wrong address shows Tandem's own 404 page, not Django's list of every URL pattern)
# and without `collectstatic`.
WHITENOISE_USE_FINDERS = True
# Development may point webhooks at a receiver on this machine (plain http on loopback).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", True)
# Every email the demo sends (invitations, resets, reminders, nudges) lands as a file in
# demo-emails/, one per sending connection, instead of scrolling past between request logs.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "demo-emails"))
