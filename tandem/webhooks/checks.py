"""`manage.py check --deploy` warns when webhooks may call private addresses."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def webhook_targets_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False):
        return [
            Warning(
                "WEBHOOKS_ALLOW_PRIVATE_TARGETS is on: webhooks may call loopback and private "
                "addresses (and plain http on loopback), a server-side request forgery risk.",
                hint="Unset WEBHOOKS_ALLOW_PRIVATE_TARGETS in production.",
                id="tandem.webhooks.W001",
            )
        ]
    return []
