"""Development and the demo: debug on, emails printed to the console."""

from config.settings.base import *
from config.settings.environment import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
