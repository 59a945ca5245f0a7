"""The lifecycle over HTML: one page with the actions possible now (and the reason to end)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError
from tandem.relationships import services
from tandem.relationships.lifecycle import actions_offered
from tandem.relationships.permissions import relationship_access_for_request


@login_required
def relationship_status(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """Show and apply lifecycle actions; parties and the programme's managers only."""
    actor = signed_in_user(request)
    access = relationship_access_for_request(request, relationship_id, allow_manager=True)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if not back:
        back = (
            reverse("workspace:detail", args=[relationship_id])
            if access.is_party
            else reverse("workspace:program_relationships", args=[access.relationship.program_id])
        )
    error = ""
    if request.method == "POST":
        try:
            relationship = services.relationship_transition(
                actor=actor,
                relationship_id=relationship_id,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", ""),
                find_new_match=request.POST.get("find_new_match") == "on",
            )
        except DomainError as failure:
            error = failure.detail
        else:
            messages.success(
                request,
                _("The relationship is now %(status)s.")
                % {"status": relationship.get_status_display().lower()},
            )
            return redirect(back)
    return render(
        request,
        "relationships/status.html",
        {
            "access": access,
            "relationship": access.relationship,
            "actions": actions_offered(
                access.relationship, is_party=access.is_party, today=timezone.localdate()
            ),
            "error": error,
            "next": back,
            "chosen": request.POST.get("action") or request.GET.get("action", ""),
            "reason": request.POST.get("reason", ""),
        },
        status=409 if error else 200,
    )
