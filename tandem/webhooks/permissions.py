"""The guard of webhook endpoints: organisation admins only, in their own organisation."""

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import Forbidden, NotFound
from tandem.core.transactions import locking
from tandem.webhooks.models import WebhookEndpoint


def require_webhook_admin(actor: User) -> None:
    """Webhooks are the organisation admin's: anyone else in the organisation is refused."""
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden("Only an organisation admin can manage webhooks.")


def webhook_endpoint_access(
    *, actor: User, endpoint_id: int, for_update: bool = False
) -> WebhookEndpoint:
    """The endpoint, when `actor` is an admin of its organisation; NotFound for anything
    else in another organisation (or missing), Forbidden for a non-admin."""
    require_webhook_admin(actor)
    endpoints = WebhookEndpoint.objects.filter(
        pk=endpoint_id, organization_id=organization_id_of(actor)
    )
    endpoint = (locking(endpoints) if for_update else endpoints).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint
