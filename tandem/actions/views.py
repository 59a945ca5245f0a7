"""Action items over HTML: one page (add, close with a reflection, reopen, delete), htmx for
the changes. Thin: the services decide."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.actions import selectors, services
from tandem.actions.forms import ActionItemForm
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.people.selectors import profile_zone_get
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request

CLOSED_PAGE_SIZE = 20


def _context(
    request: HttpRequest,
    access: RelationshipAccess,
    *,
    form: ActionItemForm | None = None,
    error: str = "",
    error_item_id: int | None = None,
) -> dict[str, object]:
    today = selectors.viewer_today(access.user)
    open_items = selectors.action_item_list_open(relationship=access.relationship)
    selectors.mark_overdue(open_items, today=today)
    closed = Paginator(selectors.action_item_list_closed(access=access), CLOSED_PAGE_SIZE)
    return {
        "access": access,
        "relationship": access.relationship,
        "open_items": open_items,
        "closed_page": closed.get_page(request.GET.get("page")),
        "form": form or apply_bootstrap(ActionItemForm(access=access)),
        "viewer_zone": profile_zone_get(user=access.user),
        "error": error,
        "error_item_id": error_item_id,
    }


def _body(request: HttpRequest, access: RelationshipAccess, **extra: object) -> HttpResponse:
    return render(request, "actions/_body.html", _context(request, access, **extra))  # type: ignore[arg-type]


@login_required
@require_GET
def action_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    return render(request, "actions/list.html", _context(request, access))


@login_required
@require_POST
def action_create(request: HttpRequest, relationship_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    form = ActionItemForm(request.POST, access=access)
    failed = True
    if form.is_valid():
        try:
            services.action_item_add(
                actor=access.user,
                relationship_id=relationship_id,
                title=form.cleaned_data["title"],
                owner_id=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            failed = False
    apply_bootstrap(form)
    if request.htmx:  # type: ignore[attr-defined]
        # htmx 2 does not swap 4xx answers: the inline errors come back as 200.
        return _body(request, access, form=None if not failed else form)
    if not failed:
        messages.success(request, _("Action added."))
        return redirect("actions:list", relationship_id=relationship_id)
    return render(request, "actions/list.html", _context(request, access, form=form), status=400)


def _change(
    request: HttpRequest,
    access: RelationshipAccess,
    item_id: int,
    done: str,
    run: Callable[[], object],
) -> HttpResponse:
    """Run one change to an item; htmx gets the page's body back (with the refusal inline)."""
    error = ""
    try:
        run()
    except DomainError as failure:
        error = failure.detail
        if failure.errors:
            error = " ".join(field.message for field in failure.errors)
    if request.htmx:  # type: ignore[attr-defined]
        return _body(request, access, error=error, error_item_id=item_id if error else None)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("actions:list", relationship_id=access.relationship.pk)


@login_required
@require_POST
def action_close(request: HttpRequest, relationship_id: int, action_item_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    return _change(
        request,
        access,
        action_item_id,
        _("Action closed."),
        lambda: services.action_item_close(
            actor=access.user,
            relationship_id=relationship_id,
            action_item_id=action_item_id,
            outcome=request.POST.get("outcome", ""),
            reflection=request.POST.get("reflection", ""),
        ),
    )


@login_required
@require_POST
def action_reopen(request: HttpRequest, relationship_id: int, action_item_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    return _change(
        request,
        access,
        action_item_id,
        _("Action reopened."),
        lambda: services.action_item_reopen(
            actor=access.user, relationship_id=relationship_id, action_item_id=action_item_id
        ),
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, relationship_id: int, action_item_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    return _change(
        request,
        access,
        action_item_id,
        _("Action deleted."),
        lambda: services.action_item_delete(
            actor=access.user, relationship_id=relationship_id, action_item_id=action_item_id
        ),
    )
