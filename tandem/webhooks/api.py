"""Webhook endpoints of the organisation (org admins): subscribe, edit, rotate the secret,
disable and enable, send a test event, read the delivery log, and the catalogue of events."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import KeysetPagination, LimitOffsetPagination
from tandem.core.params import Id
from tandem.webhooks import selectors, services
from tandem.webhooks.permissions import webhook_endpoint_access
from tandem.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookEndpointCreateIn,
    WebhookEndpointOut,
    WebhookEndpointSecretOut,
    WebhookEndpointUpdateIn,
    WebhookEventTypeOut,
)

router = Router(tags=["webhooks"])


def _with_secret(endpoint: object, secret: str) -> dict[str, object]:
    return {**WebhookEndpointOut.from_orm(endpoint).dict(), "secret": secret}


@router.get(
    "/webhooks/event-types",
    response=list[WebhookEventTypeOut],
    summary="The webhook events and their payloads",
)
def event_type_list(request: HttpRequest) -> object:
    return selectors.webhook_event_catalogue(actor=caller(request))


@router.get("/webhooks/endpoints", response=list[WebhookEndpointOut], summary="Webhook endpoints")
@paginate(LimitOffsetPagination)
def endpoint_list(request: HttpRequest) -> object:
    return selectors.webhook_endpoint_list_for_admin(actor=caller(request))


@router.post(
    "/webhooks/endpoints",
    response={201: WebhookEndpointSecretOut},
    summary="Subscribe an endpoint (its secret is shown once)",
)
def endpoint_create(request: HttpRequest, payload: WebhookEndpointCreateIn) -> object:
    endpoint, secret = services.webhook_endpoint_create(
        actor=caller(request),
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
    )
    return Status(201, _with_secret(endpoint, secret))


@router.get("/webhooks/endpoints/{endpoint_id}", response=WebhookEndpointOut)
def endpoint_get(request: HttpRequest, endpoint_id: Id) -> object:
    return webhook_endpoint_access(actor=caller(request), endpoint_id=endpoint_id)


@router.patch("/webhooks/endpoints/{endpoint_id}", response=WebhookEndpointOut)
def endpoint_update(
    request: HttpRequest, endpoint_id: Id, payload: WebhookEndpointUpdateIn
) -> object:
    return services.webhook_endpoint_update(
        actor=caller(request),
        endpoint_id=endpoint_id,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
    )


@router.post(
    "/webhooks/endpoints/{endpoint_id}/rotate-secret",
    response=WebhookEndpointSecretOut,
    summary="A new secret (shown once); the old one signs too for the overlap",
)
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: Id) -> object:
    endpoint, secret = services.webhook_endpoint_rotate_secret(
        actor=caller(request), endpoint_id=endpoint_id
    )
    return _with_secret(endpoint, secret)


@router.post("/webhooks/endpoints/{endpoint_id}/disable", response=WebhookEndpointOut)
def endpoint_disable(request: HttpRequest, endpoint_id: Id) -> object:
    return services.webhook_endpoint_disable(actor=caller(request), endpoint_id=endpoint_id)


@router.post("/webhooks/endpoints/{endpoint_id}/enable", response=WebhookEndpointOut)
def endpoint_enable(request: HttpRequest, endpoint_id: Id) -> object:
    return services.webhook_endpoint_enable(actor=caller(request), endpoint_id=endpoint_id)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/test",
    response={202: WebhookDeliveryOut},
    summary="Send a test event",
)
def endpoint_send_test(request: HttpRequest, endpoint_id: Id) -> object:
    delivery = services.webhook_send_test(actor=caller(request), endpoint_id=endpoint_id)
    return Status(202, {**WebhookDeliveryOut.from_orm(delivery).dict(), "attempt_log": []})


@router.get(
    "/webhooks/endpoints/{endpoint_id}/deliveries",
    response=list[WebhookDeliveryOut],
    summary="The endpoint's delivery log (newest first)",
)
@paginate(KeysetPagination)
def delivery_list(request: HttpRequest, endpoint_id: Id) -> object:
    return selectors.webhook_delivery_list(actor=caller(request), endpoint_id=endpoint_id)
