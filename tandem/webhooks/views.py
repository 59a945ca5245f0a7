"""The organisation admin's webhook pages: the list (and a new endpoint), one endpoint (edit,
rotate the secret, disable or enable, send a test event, the delivery log). Thin: every write
is a service, every read a selector; anyone but an admin of the organisation gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.accounts.requests import AuthenticatedRequest
from tandem.core.errors import DomainError, Forbidden, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.webhooks import selectors, services
from tandem.webhooks.forms import WebhookEndpointForm
from tandem.webhooks.models import WebhookEndpoint
from tandem.webhooks.permissions import require_webhook_admin, webhook_endpoint_access

DELIVERY_LOG_ROWS = 50


def _admin_only(request: AuthenticatedRequest) -> None:
    try:
        require_webhook_admin(request.user)
    except Forbidden as error:
        raise Http404 from error


def _endpoint(request: AuthenticatedRequest, endpoint_id: int) -> WebhookEndpoint:
    _admin_only(request)
    try:
        return webhook_endpoint_access(actor=request.user, endpoint_id=endpoint_id)
    except NotFound as error:
        raise Http404 from error


def _secret_page(
    request: AuthenticatedRequest, endpoint: WebhookEndpoint, secret: str, *, created: bool
) -> HttpResponse:
    response = render(
        request,
        "webhooks/secret.html",
        {"nav_section": "people", "endpoint": endpoint, "secret": secret, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def endpoint_list(request: AuthenticatedRequest) -> HttpResponse:
    _admin_only(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                actor=request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _secret_page(request, endpoint, secret, created=True)
    apply_bootstrap(form)
    return render(
        request,
        "webhooks/list.html",
        {
            "nav_section": "people",
            "form": form,
            "endpoints": selectors.webhook_endpoint_list_for_admin(actor=request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def endpoint_detail(request: AuthenticatedRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = WebhookEndpointForm(
        request.POST or None,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                actor=request.user,
                endpoint_id=endpoint.pk,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Webhook endpoint saved.")
            return redirect("webhooks:detail", endpoint.pk)
    apply_bootstrap(form)
    deliveries = selectors.webhook_delivery_list(actor=request.user, endpoint_id=endpoint.pk)
    return render(
        request,
        "webhooks/detail.html",
        {
            "nav_section": "people",
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries[:DELIVERY_LOG_ROWS],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def endpoint_rotate_secret(request: AuthenticatedRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    endpoint, secret = services.webhook_endpoint_rotate_secret(
        actor=request.user, endpoint_id=endpoint.pk
    )
    return _secret_page(request, endpoint, secret, created=False)


def _act(request: AuthenticatedRequest, endpoint_id: int, action: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    use_case, done = {
        "disable": (services.webhook_endpoint_disable, "Webhook endpoint disabled."),
        "enable": (services.webhook_endpoint_enable, "Webhook endpoint enabled."),
        "test": (services.webhook_send_test, "Test event queued; its result shows in the log."),
    }[action]
    try:
        use_case(actor=request.user, endpoint_id=endpoint.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("webhooks:detail", endpoint.pk)


@login_required
@require_POST
def endpoint_disable(request: AuthenticatedRequest, endpoint_id: int) -> HttpResponse:
    return _act(request, endpoint_id, "disable")


@login_required
@require_POST
def endpoint_enable(request: AuthenticatedRequest, endpoint_id: int) -> HttpResponse:
    return _act(request, endpoint_id, "enable")


@login_required
@require_POST
def endpoint_send_test(request: AuthenticatedRequest, endpoint_id: int) -> HttpResponse:
    return _act(request, endpoint_id, "test")
