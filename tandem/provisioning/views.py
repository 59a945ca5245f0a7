"""The organisation admin's SCIM page: the base URL, the tokens (created and shown once,
listed with their last use, revoked). Thin: services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role
from tandem.accounts.requests import AuthenticatedRequest
from tandem.core.errors import DomainError, InvalidInput, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.links import absolute_url
from tandem.core.pagination import seek_page
from tandem.provisioning import selectors, services
from tandem.provisioning.forms import ScimTokenForm


def _org_admin_only(request: AuthenticatedRequest) -> None:
    if request.user.role != Role.ORG_ADMIN or request.user.organization is None:
        raise Http404


HR_SYNC_RUNS_PER_PAGE = 25


@login_required
def scim_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """List the organisation's SCIM tokens and create one; a new token's secret is on this
    response alone (it is not stored, so it cannot be shown again)."""
    _org_admin_only(request)
    organization = request.user.organization
    if organization is None:
        raise Http404
    form = ScimTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.scim_token_create(
                actor=request.user, organization=organization, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = ScimTokenForm()
    apply_bootstrap(form)
    response = render(
        request,
        "provisioning/scim_tokens.html",
        {
            "nav_section": "people",
            "form": form,
            "secret": secret,
            "tokens": selectors.scim_token_list(organization=organization),
            "base_url": absolute_url(f"/scim/v2/{organization.slug}", request=request),
        },
        status=400 if form.errors else 200,
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def scim_token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    _org_admin_only(request)
    try:
        token = services.scim_token_revoke(actor=request.user, token_id=token_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, f"The token {token.name} is revoked.")
    return redirect("provisioning:scim_tokens")


@login_required
def hr_sync_runs(request: AuthenticatedRequest) -> HttpResponse:
    """The history of HR sync runs (newest first, 25 to a page): when, from where, the
    counts, what changed per person and each row's errors. Paged by a cursor (`?after=`, the
    "Next" link; decision 0020): a deep page costs what the first one costs."""
    _org_admin_only(request)
    runs = selectors.hr_sync_run_list(actor=request.user)
    after = request.GET.get("after", "")
    try:
        items, next_cursor = seek_page(runs, after=after, limit=HR_SYNC_RUNS_PER_PAGE)
    except InvalidInput:
        return HttpResponseBadRequest("Not a page of this list: follow the page's Next link.")
    return render(
        request,
        "provisioning/hr_sync_runs.html",
        {"nav_section": "people", "runs": items, "next_cursor": next_cursor, "after": after},
    )
