from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from tandem.webhooks import checks  # noqa: F401 - registers the deploy check
