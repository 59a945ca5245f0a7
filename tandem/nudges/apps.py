from django.apps import AppConfig


class NudgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.nudges"
