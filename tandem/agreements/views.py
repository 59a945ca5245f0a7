"""The agreement page (inline saves and signing with htmx), its signed versions, and the
programme's template page. Thin: the services decide."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.requests import signed_in_user
from tandem.agreements import selectors, services
from tandem.agreements.forms import AgreementForm, AgreementTemplateForm
from tandem.agreements.models import AgreementTemplate
from tandem.core.errors import DomainError, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.web import guard_as_http
from tandem.people.selectors import profile_timezone_get
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import RelationshipAccess, relationship_access_for_request


def _initial(detail: selectors.AgreementDetail) -> dict[str, Any]:
    return {"version": detail.agreement.version, **services.agreement_content(detail.agreement)}


def _context(
    request: HttpRequest,
    access: RelationshipAccess,
    *,
    form: AgreementForm | None = None,
    sign_error: str = "",
    saved: bool = False,
) -> dict[str, Any]:
    detail = selectors.agreement_get_for_workspace(access=access)
    template = selectors.agreement_template_for_relationship(access=access)
    if form is None:
        form = AgreementForm(initial=_initial(detail), template=template)
    apply_bootstrap(form)
    relationship = access.relationship
    return {
        "access": access,
        "relationship": relationship,
        "detail": detail,
        "agreement": detail.agreement,
        "form": form,
        "editable": access.is_open,
        "sign_error": sign_error,
        "saved": saved,
        "viewer_tz": profile_timezone_get(user=access.user),
        "mentor": relationship.mentor.user,
        "mentee": relationship.mentee.user,
    }


@login_required
def agreement_detail(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """Read and edit the agreement. A POST saves it (inline with htmx: the answer updates the
    version, the signatures and each field's error in place)."""
    access = relationship_access_for_request(request, relationship_id)
    if request.method != "POST":
        return render(request, "agreements/detail.html", _context(request, access))
    template = selectors.agreement_template_for_relationship(access=access)
    form = AgreementForm(request.POST, template=template)
    saved = False
    if form.is_valid():
        try:
            services.agreement_update(
                actor=access.user, relationship_id=relationship_id, **form.content()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            saved = True
    if request.htmx:  # type: ignore[attr-defined]
        # htmx 2 does not swap 4xx answers: the outcome is always a 200 with the errors inline.
        context = _context(request, access, form=form, saved=saved)
        return render(request, "agreements/_save_result.html", context)
    if saved:
        messages.success(request, "Agreement saved.")
        return redirect("agreements:detail", relationship_id=relationship_id)
    context = _context(request, access, form=form)
    return render(request, "agreements/detail.html", context, status=400)


@login_required
@require_POST
def agreement_sign(request: HttpRequest, relationship_id: int) -> HttpResponse:
    """Sign the version the signer saw."""
    access = relationship_access_for_request(request, relationship_id)
    error = ""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        error = "Reload the agreement and sign again: the version you saw is missing."
    else:
        try:
            services.agreement_sign(
                actor=access.user, relationship_id=relationship_id, version=version
            )
        except DomainError as failure:
            error = failure.detail
            if failure.errors and failure.errors[0].field != "version":
                error += " " + " ".join(e.message for e in failure.errors)
    if request.htmx:  # type: ignore[attr-defined]
        context = _context(request, access, sign_error=error)
        return render(request, "agreements/_sign_result.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "You signed the agreement.")
    return redirect("agreements:detail", relationship_id=relationship_id)


@login_required
@require_GET
def agreement_version(request: HttpRequest, relationship_id: int, version: int) -> HttpResponse:
    """One version both people signed, as it was signed."""
    access = relationship_access_for_request(request, relationship_id)
    try:
        kept = selectors.agreement_version_get(access=access, version=version)
    except NotFound as error:
        raise Http404(error.detail) from error
    relationship = access.relationship
    return render(
        request,
        "agreements/version.html",
        {
            "access": access,
            "relationship": relationship,
            "kept": kept,
            "content": kept.content,
            "channel_labels": selectors.channel_labels(kept.content.get("channels", [])),
            "cadence_label": selectors.cadence_label(kept.content.get("cadence", "")),
            "viewer_tz": profile_timezone_get(user=access.user),
            "mentor": relationship.mentor.user,
            "mentee": relationship.mentee.user,
        },
    )


@login_required
def agreement_template(request: HttpRequest, program_id: int) -> HttpResponse:
    """A programme's agreement template: the guidance per section and the confidentiality
    statement every new agreement starts from (the programme's managers)."""
    actor = signed_in_user(request)
    with guard_as_http():
        program = program_access(actor=actor, program_id=program_id, manage=True)
    template: AgreementTemplate = selectors.agreement_template_get(program=program)
    if request.method == "POST":
        form = AgreementTemplateForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_template_update(
                    actor=actor, program_id=program.pk, **form.cleaned_data
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Agreement template saved.")
                return redirect("agreements:template", program_id=program.pk)
    else:
        form = AgreementTemplateForm(
            initial={name: getattr(template, name) for name in services.TEMPLATE_FIELDS}
        )
    apply_bootstrap(form)
    return render(
        request,
        "agreements/template.html",
        {"nav_section": "programs", "program": program, "template": template, "form": form},
        status=400 if form.errors else 200,
    )
