"""Development and the demo: debug on, emails printed to the console."""

from config.settings.base import *
from config.settings.environment import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Development may point webhooks at a receiver on this machine (plain http on loopback).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
