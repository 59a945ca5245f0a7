"""The organisation admin's Access and roles page, composed over accounts.

Accounts owns roles and invitations; the list of people (search by name, email or department,
50 to a page) is the directory's, which lives here in people, one layer up. So the two pages
that show that list are composed here and keep their names in the `accounts` namespace
(`account_urls.py`), the way participants composes programmes' pages.

A role change is two steps: the row's "Change role" asks, the confirm page says what will
change (who, old role → new role), and only its POST calls `accounts.services.user_set_role`,
the one owner of the "an organisation keeps an active admin" rule.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tandem.accounts import selectors as account_selectors
from tandem.accounts import services as account_services
from tandem.accounts.forms import InvitationForm
from tandem.accounts.models import Role, User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.links import absolute_url
from tandem.core.pagination import capped_count
from tandem.core.web import seek_page_for_request
from tandem.people import selectors
from tandem.people.permissions import is_org_admin

MEMBERS_PER_PAGE = 50


def _org_admin(request: HttpRequest) -> User:
    actor = signed_in_user(request)
    if not is_org_admin(actor):
        raise Http404
    return actor


def _back_to_list(request: HttpRequest) -> str:
    """The Access and roles page the admin came from (search and page kept), else its start."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    members = reverse("accounts:members")
    if candidate.startswith(members) and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return members


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """Who has access, with which role, and who is invited: searchable, 50 to a page."""
    actor = _org_admin(request)
    invite_form = InvitationForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        try:
            invitation = account_services.invitation_create(
                actor=actor,
                email=invite_form.cleaned_data["email"],
                role=invite_form.cleaned_data["role"],
                base_url=absolute_url("/", request=request),
            )
        except DomainError as error:
            add_domain_error(invite_form, error)
        else:
            messages.success(
                request,
                gettext("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:members")
    apply_bootstrap(invite_form)
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    people = selectors.person_list_for_org_admin(actor=actor, search=search, role=role)
    context = {
        "nav_section": "people",
        "invite_form": invite_form,
        "page": seek_page_for_request(people, request, limit=MEMBERS_PER_PAGE),
        "count": capped_count(people),
        "invitations": account_selectors.invitation_list_pending(actor=actor),
        "roles": Role.choices,
        "search": search,
        "role": role,
        "filtered": bool(search or role),
        "here": request.get_full_path(),
    }
    if request.htmx and request.htmx.target == "members-results":  # type: ignore[attr-defined]
        context["here"] = _list_path(request)
        return render(request, "people/_members_table.html", context)
    return render(
        request, "people/members.html", context, status=400 if invite_form.errors else 200
    )


def _list_path(request: HttpRequest) -> str:
    """The full page's address for an htmx request (what the browser shows after the swap)."""
    query = request.GET.urlencode()
    return reverse("accounts:members") + (f"?{query}" if query else "")


@login_required
@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask (GET: who, old role → new role), then change the role (POST) and say what changed."""
    actor = _org_admin(request)
    target = account_selectors.user_get_in_org(actor=actor, user_id=user_id)
    if target is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    new_role = data.get("role", "")
    back = _back_to_list(request)
    if new_role not in Role.values:
        messages.error(
            request, gettext("Choose a role for %(person)s from the list.") % {"person": target}
        )
        return redirect(back)
    old_label, new_label = Role(target.role).label, Role(new_role).label
    if new_role == target.role:
        messages.info(
            request,
            gettext("%(person)s is already %(role)s; nothing changed.")
            % {"person": target, "role": old_label.lower()},
        )
        return redirect(back)
    context = {
        "nav_section": "people",
        "person": target,
        "new_role": new_role,
        "old_label": old_label,
        "new_label": new_label,
        "back": back,
    }
    if request.method == "GET":
        return render(request, "people/member_role_confirm.html", context)
    if data.get("from_role") != target.role:
        # Someone changed the role between the question and the answer: ask again.
        messages.warning(
            request,
            gettext(
                "%(person)s's role changed to %(role)s since you asked; check and confirm again."
            )
            % {"person": target, "role": old_label.lower()},
        )
        return render(request, "people/member_role_confirm.html", context, status=409)
    try:
        account_services.user_set_role(actor=actor, user=target, role=new_role)
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "people/member_role_confirm.html", context, status=error.status)
    messages.success(
        request,
        gettext("%(person)s: role changed from %(old)s to %(new)s.")
        % {"person": target, "old": old_label, "new": new_label},
    )
    return redirect(back)
