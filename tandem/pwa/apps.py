from django.apps import AppConfig


class PwaConfig(AppConfig):
    name = "tandem.pwa"
    label = "pwa"
    verbose_name = "Phone app (PWA)"
