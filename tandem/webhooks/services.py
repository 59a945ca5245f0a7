"""Webhook use cases: the admin's endpoints (create, edit, rotate the secret, disable and
enable, send a test event) and `webhook_emit`, which every service that causes an event calls
inside its own transaction (the outbox: the delivery rows commit with the change, or roll back
with it). Delivery is `delivery.webhook_deliver_batch`."""

import datetime
import json
import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja import Schema

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.outbound import url_errors
from tandem.core.text import single_line_problem
from tandem.webhooks.events import (
    EVENT_TYPES,
    PAYLOAD_VERSION,
    TEST_EVENT_TYPE,
    PersonDeactivatedData,
    PersonRef,
    WebhookTestData,
)
from tandem.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from tandem.webhooks.permissions import require_webhook_admin, webhook_endpoint_access
from tandem.webhooks.signing import secret_new

# Endpoints one organisation may have (each event writes one row per subscribed endpoint).
MAX_ENDPOINTS = 20


def _event_type_errors(event_types: Sequence[str]) -> list[FieldError]:
    if not event_types:
        return [FieldError("event_types", "Choose at least one event to send.")]
    unknown = [name for name in event_types if name not in EVENT_TYPES]
    if unknown:
        return [
            FieldError(
                "event_types",
                f"'{unknown[0]}' is not an event; choose from {', '.join(EVENT_TYPES)}.",
            )
        ]
    return []


def _description_errors(description: str) -> list[FieldError]:
    if len(description) > 200:
        return [FieldError("description", "Keep the description to 200 characters.")]
    problem = single_line_problem(description)
    if problem:
        return [FieldError("description", problem)]
    return []


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)


def _ordered(event_types: Sequence[str]) -> list[str]:
    """The chosen types, once each, in the catalogue's order."""
    return [name for name in EVENT_TYPES if name in set(event_types)]


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, url: str, event_types: Sequence[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Subscribe `url` to `event_types` for the actor's organisation. Returns the endpoint and
    its signing secret, which is shown this once (only its ciphertext is kept)."""
    require_webhook_admin(actor)
    url, description = url.strip(), description.strip()
    _raise_if(url_errors(url) + _event_type_errors(event_types) + _description_errors(description))
    organization_id = organization_id_of(actor)
    if WebhookEndpoint.objects.filter(organization_id=organization_id).count() >= MAX_ENDPOINTS:
        raise Conflict(f"An organisation may have at most {MAX_ENDPOINTS} webhook endpoints.")
    secret = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        organization_id=organization_id,
        url=url,
        description=description,
        event_types=_ordered(event_types),
        secret=secret,
        created_by=actor,
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    actor: User,
    endpoint_id: int,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, events or description (what is not given stays)."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id, for_update=True)
    errors: list[FieldError] = []
    fields = ["updated_at"]
    if url is not None:
        url = url.strip()
        errors += url_errors(url)
        endpoint.url = url
        fields.append("url")
    if event_types is not None:
        errors += _event_type_errors(event_types)
        endpoint.event_types = _ordered(event_types)
        fields.append("event_types")
    if description is not None:
        description = description.strip()
        errors += _description_errors(description)
        endpoint.description = description
        fields.append("description")
    _raise_if(errors)
    endpoint.save(update_fields=fields)
    return endpoint


def _overlap() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor: User, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """Give the endpoint a new secret (returned, shown once). The one it replaces keeps
    signing beside it for `WEBHOOKS_SECRET_OVERLAP_HOURS`, so the receiver can switch without
    refusing a call; a secret older than that one stops at once."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id, for_update=True)
    now = timezone.now()
    secret = secret_new()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + _overlap()
    endpoint.secret = secret
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_until",
            "secret_rotated_at",
            "updated_at",
        ]
    )
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, at: datetime.datetime) -> list[str]:
    """The secrets that sign a call at `at`: the current one, and the previous one while the
    rotation's overlap lasts."""
    found = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until is not None
        and at < endpoint.previous_secret_until
    ):
        found.append(endpoint.previous_secret)
    return found


@transaction.atomic
def webhook_endpoint_disable(*, actor: User, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to the endpoint (its owed deliveries wait until it is enabled again)."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id, for_update=True)
    if not endpoint.is_enabled:
        raise Conflict("This webhook endpoint is already disabled.")
    endpoint.is_enabled = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = f"Disabled by {actor.email}."[:300]
    endpoint.save(update_fields=["is_enabled", "disabled_at", "disabled_reason", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_enable(*, actor: User, endpoint_id: int) -> WebhookEndpoint:
    """Send to the endpoint again, its failure count reset; what it is owed is delivered."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id, for_update=True)
    if endpoint.is_enabled:
        raise Conflict("This webhook endpoint is already enabled.")
    endpoint.is_enabled = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.consecutive_failures = 0
    endpoint.save(
        update_fields=[
            "is_enabled",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "updated_at",
        ]
    )
    pending = list(
        WebhookDelivery.objects.filter(
            endpoint=endpoint, status=WebhookDeliveryStatus.PENDING
        ).values_list("pk", flat=True)[:1000]
    )
    if pending:
        transaction.on_commit(lambda: _kick(pending), robust=True)
    return endpoint


def _kick(delivery_ids: list[int]) -> None:
    # Run robust after the commit: the rows are saved, and a queue that is down (Redis
    # restarting) must not turn the caller's success into a 500 (the soak saw it for
    # emails); the scheduler's `webhook_kick_if_due` finds due rows every minute anyway.
    # Imported here: the task module imports the delivery, which imports this one.
    from tandem.webhooks.tasks import webhook_deliver_task

    webhook_deliver_task.enqueue(
        worker_id=f"kick-{uuid.uuid4().hex[:12]}", delivery_ids=delivery_ids
    )


def _body(
    *, event_id: str, event_type: str, organization_id: int, at: datetime.datetime, data: Schema
) -> str:
    envelope = {
        "id": event_id,
        "type": event_type,
        "version": PAYLOAD_VERSION,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "organization_id": organization_id,
        "data": data.model_dump(mode="json"),
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _write(
    endpoint_ids: list[int], *, event_type: str, organization_id: int, data: Schema
) -> list[WebhookDelivery]:
    now = timezone.now()
    event_id = f"msg_{uuid.uuid4().hex}"
    body = _body(
        event_id=event_id,
        event_type=event_type,
        organization_id=organization_id,
        at=now,
        data=data,
    )
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=event_type,
            body=body,
            next_attempt_at=now,
            max_attempts=settings.WEBHOOKS_MAX_ATTEMPTS,
        )
        for endpoint_id in endpoint_ids
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _kick(ids), robust=True)
    return rows


def webhook_emit(
    *, organization_id: int, event_type: str, data: Schema | Callable[[], Schema]
) -> int:
    """Owe every enabled endpoint of the organisation subscribed to `event_type` one call with
    `data` (the type's schema in `events.EVENT_TYPES`, or a function that builds it, called
    only when some endpoint is subscribed, so an organisation without webhooks pays one query
    and nothing else). Call it inside the transaction of the change it tells: the rows commit
    with it or not at all, and delivery is kicked once it commits. Two queries (the
    organisation's endpoints, one insert) whatever the number of endpoints. Returns how many
    deliveries were written."""
    schema = EVENT_TYPES.get(event_type)
    if schema is None:
        raise ValueError(f"{event_type!r} is not a webhook event type.")
    # The list of types is JSON: filtered here (JSON containment is not portable to SQLite),
    # over the organisation's few endpoints.
    subscribed = [
        endpoint_id
        for endpoint_id, event_types in WebhookEndpoint.objects.filter(
            organization_id=organization_id, is_enabled=True
        )
        .order_by("pk")
        .values_list("pk", "event_types")
        if event_type in event_types
    ]
    if not subscribed:
        return 0
    built = data if isinstance(data, Schema) else data()
    if not isinstance(built, schema):
        raise TypeError(f"{event_type} takes {schema.__name__}, not {type(built).__name__}.")
    with transaction.atomic():
        return len(
            _write(subscribed, event_type=event_type, organization_id=organization_id, data=built)
        )


def person_deactivated_emit(
    *, organization_id: int, person_id: int, email: str, deactivated_at: datetime.datetime
) -> int:
    """Tell the organisation's endpoints that a person's account was deactivated. For the
    service that deactivates accounts (provisioning): call it in that transaction."""
    return webhook_emit(
        organization_id=organization_id,
        event_type="person.deactivated",
        data=PersonDeactivatedData(
            person=PersonRef(id=person_id, email=email), deactivated_at=deactivated_at
        ),
    )


@transaction.atomic
def webhook_send_test(*, actor: User, endpoint_id: int) -> WebhookDelivery:
    """Owe the endpoint one `webhook.test` call (even when disabled, it waits until enabled),
    signed like any other, so the admin sees in the log what the receiver answers."""
    endpoint = webhook_endpoint_access(actor=actor, endpoint_id=endpoint_id)
    [delivery] = _write(
        [endpoint.pk],
        event_type=TEST_EVENT_TYPE,
        organization_id=endpoint.organization_id,
        data=WebhookTestData(endpoint_id=endpoint.pk, message="A test event from Tandem."),
    )
    return delivery
