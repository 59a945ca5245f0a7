"""The journal over HTML: my entries with an htmx form, and what my partner shared with me.
Thin: the guard, then the same services and selectors as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.core.errors import DomainError
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.journals import selectors, services
from tandem.journals.exports import ExportFormat, journal_export_response
from tandem.journals.forms import JournalEntryForm
from tandem.journals.models import JournalEntry
from tandem.meetings import selectors as meeting_selectors
from tandem.people.selectors import profile_zone_get
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request


def _form(access: RelationshipAccess, data: object = None) -> JournalEntryForm:
    """The entry form, offering the pair's meetings (newest first)."""
    meetings = meeting_selectors.meeting_list(access=access).prefetch_related(None)
    return JournalEntryForm(
        data,
        meetings=reversed(list(meetings)),
        zone=profile_zone_get(user=access.user),
    )


def _mine_context(access: RelationshipAccess, form: JournalEntryForm) -> dict:
    return {
        "access": access,
        "relationship": access.relationship,
        "form": apply_bootstrap(form),
        "entries": list(selectors.journal_entry_list_mine(access=access)),
        "viewer_timezone": profile_zone_get(user=access.user),
    }


@login_required
@require_GET
def journal_list(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """My entries in this relationship, the form to write one, and what my partner shared."""
    access = relationship_access_for_request(request, relationship_id)
    context = _mine_context(access, _form(access))
    context["shared"] = list(selectors.journal_entry_list_shared_with_me(access=access))
    return render(request, "journals/list.html", context)


@login_required
@require_POST
def journal_create(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """Write an entry. htmx gets my refreshed list (or the form with its errors, as 200)."""
    access = relationship_access_for_request(request, relationship_id)
    form = _form(access, request.POST)
    created = False
    if form.is_valid():
        try:
            services.journal_entry_create(
                actor=access.user,
                relationship_id=relationship_id,
                text=form.cleaned_data["text"],
                mood=form.cleaned_data["mood"],
                tags=form.tag_list(),
                meeting_id=form.cleaned_data["meeting"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            created = True
    if request.htmx:  # type: ignore[attr-defined]
        context = _mine_context(access, _form(access) if created else form)
        context["saved"] = created
        return render(request, "journals/_mine.html", context)
    if created:
        messages.success(request, "Entry saved in your journal.")
        return redirect("journals:list", relationship_id=relationship_id)
    context = _mine_context(access, form)
    context["shared"] = list(selectors.journal_entry_list_shared_with_me(access=access))
    return render(request, "journals/list.html", context, status=400)


def _entry_response(
    request: HttpRequest, access: RelationshipAccess, entry: JournalEntry, error: str = ""
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "journals/_entry.html",
            {
                "entry": entry,
                "relationship": access.relationship,
                "access": access,
                "error": error,
                "viewer_timezone": profile_zone_get(user=access.user),
            },
        )
    if error:
        messages.error(request, error)
    return redirect("journals:list", relationship_id=access.relationship.pk)


@login_required
@require_POST
def journal_share(request: HttpRequest, relationship_id: int, entry_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    with guard_as_http():
        entry = selectors.journal_entry_get_mine(access=access, entry_id=entry_id)
    share = request.POST.get("share", "1") == "1"
    try:
        entry = (services.journal_entry_share if share else services.journal_entry_unshare)(
            actor=access.user, relationship_id=relationship_id, entry_id=entry_id
        )
    except DomainError as error:
        return _entry_response(request, access, entry, error.detail)
    return _entry_response(request, access, entry)


@login_required
@require_POST
def journal_delete(request: HttpRequest, relationship_id: int, entry_id: int) -> HttpResponse:
    access = relationship_access_for_request(request, relationship_id)
    with guard_as_http():
        services.journal_entry_delete(
            actor=access.user, relationship_id=relationship_id, entry_id=entry_id
        )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    messages.success(request, "Entry deleted.")
    return redirect("journals:list", relationship_id=relationship_id)


@login_required
@require_GET
def journal_export(request: HttpRequest) -> HttpResponse:
    """Download my own journal: ?format=md|json, optionally ?relationship=<id>."""
    actor = signed_in_user(request)
    export_format = request.GET.get("format", ExportFormat.MARKDOWN)
    if export_format not in ExportFormat.values:
        export_format = ExportFormat.MARKDOWN
    raw_relationship = request.GET.get("relationship", "")
    relationship_id = int(raw_relationship) if raw_relationship.isdigit() else None
    with guard_as_http():
        entries = selectors.journal_entry_list_for_export(
            actor=actor, relationship_id=relationship_id
        )
    return journal_export_response(actor=actor, entries=entries, export_format=export_format)
