from django.apps import AppConfig


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.operations"

    def ready(self) -> None:
        # Infrastructure, not domain flow (signals only here): a log record carries its
        # request's id until the response is closed, and a worker's the running task's id
        # (django-tasks announces start and end). The domain gauges join the Prometheus
        # registry that /metrics reads.
        from tandem.operations import logs, metrics

        logs.follow_requests_and_tasks()
        metrics.register_domain_gauges()
