from collections.abc import Sequence

from tandem.accounts.models import User
from tandem.webhooks.events import EVENT_TYPES
from tandem.webhooks.models import WebhookEndpoint
from tandem.webhooks.services import webhook_endpoint_create


def endpoint_for(
    admin: User, url: str, event_types: Sequence[str] | None = None
) -> tuple[WebhookEndpoint, str]:
    """An endpoint made the way admins make one (through the service): it and its secret."""
    return webhook_endpoint_create(
        actor=admin, url=url, event_types=list(event_types or EVENT_TYPES)
    )
