"""Feedback over HTML: the form for the viewer's side and the pair's feedback history. Thin:
the service decides."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.feedback import selectors, services
from tandem.feedback.forms import MenteeFeedbackForm, MentorFeedbackForm
from tandem.people.selectors import profile_timezone_get
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request

PAGE_SIZE = 10


def _form(access: RelationshipAccess, data: object = None) -> forms.Form:
    form_class = MentorFeedbackForm if access.side == "mentor" else MenteeFeedbackForm
    return form_class(data)  # type: ignore[arg-type]


def _context(
    request: HttpRequest, access: RelationshipAccess, form: forms.Form | None = None
) -> dict[str, object]:
    page = Paginator(selectors.feedback_list(access=access), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "access": access,
        "relationship": access.relationship,
        "partner": access.partner,
        "form": form or apply_bootstrap(_form(access)),
        "page": page,
        "viewer_timezone": profile_timezone_get(user=access.user),
        "given": request.GET.get("given") == "1",
    }


@login_required
@require_GET
def feedback_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    return render(request, "feedback/list.html", _context(request, access))


@login_required
@require_POST
def feedback_give(request: HttpRequest, relationship_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    form = _form(access, request.POST)
    failed = True
    if form.is_valid():
        try:
            services.feedback_give(
                actor=access.user, relationship_id=relationship_id, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            failed = False
    apply_bootstrap(form)
    if request.htmx:  # type: ignore[attr-defined]
        # htmx 2 does not swap 4xx answers: the inline errors come back as 200.
        context = _context(request, access, form if failed else None)
        context["given"] = not failed
        return render(request, "feedback/_body.html", context)
    if not failed:
        messages.success(request, "Thank you — your feedback was shared.")
        return redirect("feedback:list", relationship_id=relationship_id)
    return render(request, "feedback/list.html", _context(request, access, form), status=400)
