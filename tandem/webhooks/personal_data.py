"""What webhooks hold about a person: nothing of their own (the endpoints are the
organisation's), but the events told to its endpoints may name them (`person.deactivated`
carries their email)."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, scrub_rows
from tandem.webhooks.models import WebhookDelivery

COVERS: tuple[str, ...] = ()


def export(user: User) -> list[Section]:
    # The events are the organisation's messages to its own systems, not the person's data.
    return []


def erase(user: User) -> ErasureReport:
    # The bodies of the organisation's deliveries, sent or still owed, lose the person's email
    # (its erased form stands in, so an email field stays an address) and name; receivers
    # still know them by id. A body is signed when it is sent, so an owed one stays valid.
    deliveries = WebhookDelivery.objects.filter(endpoint__organization=user.organization)
    changed = scrub_rows(deliveries, ("body",), [user.email], alias=f"erased-{user.pk}@invalid")
    changed += scrub_rows(deliveries, ("body",), identifiers_of(user))
    return ErasureReport().kept("webhooks.WebhookDelivery", changed)
