"""My profile and API tokens, the skill list, the people directory, CSV import and export.

Thin: services do the writes, selectors the reads. Pages that only org admins (or, for skills,
programme managers) may use answer 404 to everyone else, as if they did not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts import selectors as account_selectors
from tandem.accounts import services as account_services
from tandem.accounts.forms import ApiTokenForm
from tandem.accounts.languages import language_for
from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.audit.services import audit_export
from tandem.core.errors import DomainError, NotFound
from tandem.core.forms import add_domain_error, apply_bootstrap
from tandem.core.pagination import capped_count
from tandem.core.web import seek_page_for_request
from tandem.people import csvfile, selectors, services
from tandem.people.forms import ImportUploadForm, ProfileForm, SkillForm, SkillRenameForm
from tandem.people.models import Profile, Skill
from tandem.people.permissions import (
    can_manage_skills,
    is_org_admin,
    people_import_access,
    skill_access,
)

PEOPLE_PER_PAGE = 50
PREVIEW_ROWS_SHOWN = 200


def _org_admin(request: HttpRequest) -> User:
    actor = signed_in_user(request)
    if not is_org_admin(actor):
        raise Http404
    return actor


def _skill_manager(request: HttpRequest) -> User:
    actor = signed_in_user(request)
    if not can_manage_skills(actor):
        raise Http404
    return actor


def _safe_next(request: HttpRequest) -> str:
    """Where to send the person back to after saving, if it is a page of this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


# --- my profile and API tokens ------------------------------------------------------------


def _profile_initial(profile: Profile) -> dict[str, object]:
    return {
        "job_title": profile.job_title,
        "department": profile.department,
        "seniority": profile.seniority,
        "location": profile.location,
        "timezone": profile.timezone,
        "languages": ", ".join(profile.languages),
        "bio": profile.bio,
        "skills_offered": [skill.pk for skill in profile.skills_offered.all()],
        "skills_wanted": [skill.pk for skill in profile.skills_wanted.all()],
        "goals": profile.goals,
        "availability": profile.availability,
        "mentor_capacity": profile.mentor_capacity,
        "language": language_for(profile.user),
    }


def _tokens_context(actor: User, **extra: object) -> dict[str, object]:
    token_form = extra.pop("token_form", None) or ApiTokenForm()
    apply_bootstrap(token_form)  # type: ignore[arg-type]
    return {
        "tokens": account_selectors.api_token_list(user=actor),
        "token_form": token_form,
        **extra,
    }


def _render_profile(
    request: HttpRequest, actor: User, *, form: ProfileForm | None = None
) -> HttpResponse:
    profile = selectors.profile_get(actor=actor)
    if profile is None:
        raise Http404
    skills = list(selectors.skill_choices(actor=actor))
    if form is None:
        form = ProfileForm(initial=_profile_initial(profile), skills=skills)
        apply_bootstrap(form)
    if profile.timezone == "UTC" and not form.is_bound:
        form.fields["timezone"].widget.attrs["data-zone-unset"] = "true"
    context = {
        "nav_section": "profile",
        "form": form,
        "profile": profile,
        "has_skills": bool(skills),
        "next": _safe_next(request),
        # UTC is the profile's default: until the person picks a zone, their browser's is
        # preselected (static/people/timezone.js).
        "timezone_unset": profile.timezone == "UTC" and not form.is_bound,
    }
    return render(request, "people/profile.html", context, status=400 if form.errors else 200)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own profile; created on their first visit."""
    actor = signed_in_user(request)
    try:
        services.profile_get_or_create(actor=actor)
    except DomainError as error:
        raise Http404 from error
    if request.method != "POST":
        return _render_profile(request, actor)
    skills = list(selectors.skill_choices(actor=actor))
    form = ProfileForm(request.POST, skills=skills)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                actor=actor,
                job_title=data["job_title"],
                department=data["department"],
                seniority=data["seniority"],
                location=data["location"],
                timezone_name=data["timezone"],
                languages=form.languages_list(),
                bio=data["bio"],
                skills_offered=data["skills_offered"],
                skills_wanted=data["skills_wanted"],
                goals=data["goals"],
                availability=data["availability"],
                **({"language": data["language"]} if data["language"] else {}),
                # Left empty (most mentees): the capacity stays what it was.
                **(
                    {}
                    if data["mentor_capacity"] is None
                    else {"mentor_capacity": data["mentor_capacity"]}
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Said in the language just chosen: the next page is the first to use it.
            with translation.override(language_for(actor)):
                messages.success(request, gettext("Your profile is saved."))
            return redirect(_safe_next(request) or reverse("people:profile"))
    apply_bootstrap(form)
    return _render_profile(request, actor, form=form)


def _render_tokens(
    request: HttpRequest, actor: User, *, token_form: ApiTokenForm | None = None, **extra: object
) -> HttpResponse:
    status = 400 if token_form is not None and token_form.errors else 200
    extra["token_form"] = token_form
    htmx = request.htmx  # type: ignore[attr-defined]
    template = "people/_tokens.html" if htmx else "people/developer.html"
    context = {"nav_section": "profile", **_tokens_context(actor, **extra)}
    return render(request, template, context, status=status)


@login_required
@require_GET
def developer(request: HttpRequest) -> HttpResponse:
    """Developer settings: personal API tokens, kept off the profile most people fill in."""
    return _render_tokens(request, signed_in_user(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a personal API token and show its secret once, on this response only."""
    actor = signed_in_user(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_tokens(request, actor, token_form=form)
    token, raw = account_services.api_token_create(user=actor, name=form.cleaned_data["name"])
    return _render_tokens(request, actor, new_token=raw, new_token_name=token.name)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    try:
        token = account_services.api_token_revoke(actor=actor, token_id=token_id)
    except NotFound as error:
        raise Http404 from error
    if request.htmx:  # type: ignore[attr-defined]
        return _render_tokens(request, actor, revoked_name=token.name)
    messages.success(
        request, gettext("The token '%(name)s' no longer works.") % {"name": token.name}
    )
    return redirect("people:developer")


# --- people directory, export, import -----------------------------------------------------


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    """The organisation's people, searchable and filterable, 50 to a page. Org admins only."""
    actor = _org_admin(request)
    search = request.GET.get("q", "").strip()
    department = request.GET.get("department", "").strip()
    people = selectors.person_list_for_org_admin(actor=actor, search=search, department=department)
    context = {
        "nav_section": "people",
        "page": seek_page_for_request(people, request, limit=PEOPLE_PER_PAGE),
        "count": capped_count(people),
        "search": search,
        "department": department,
        "departments": selectors.department_list(actor=actor),
        "filtered": bool(search or department),
    }
    if request.htmx and request.htmx.target == "people-results":  # type: ignore[attr-defined]
        return render(request, "people/_people_table.html", context)
    return render(request, "people/list.html", context)


@login_required
def people_export(request: HttpRequest) -> StreamingHttpResponse:
    """Download everyone as CSV in the import's columns (UTF-8 with BOM, for Excel)."""
    actor = _org_admin(request)
    audit_export(
        actor=actor, organization_id=actor.organization_id, what="people", export_format="csv"
    )
    response = StreamingHttpResponse(
        selectors.people_export_csv(actor=actor), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


def _preview_context(plan: services.ImportPlan, **extra: object) -> dict[str, object]:
    others = [row for row in plan.rows if row.action != services.RowAction.REJECT]
    return {
        "plan": plan,
        "rejected": plan.rejected,
        "others": others[:PREVIEW_ROWS_SHOWN],
        "others_hidden": max(len(others) - PREVIEW_ROWS_SHOWN, 0),
        **extra,
    }


def _render_import(
    request: HttpRequest, context: dict[str, object], status: int = 200
) -> HttpResponse:
    template = "people/_import_result.html" if request.htmx else "people/import.html"  # type: ignore[attr-defined]
    return render(request, template, {"nav_section": "people", **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Upload an HR CSV: check it (nothing written), show the plan, then offer to commit."""
    actor = _org_admin(request)
    if request.method == "GET":
        form = ImportUploadForm()
        apply_bootstrap(form)
        return render(request, "people/import.html", {"nav_section": "people", "form": form})
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = csvfile.read_upload(upload, settings.PEOPLE_IMPORT_MAX_BYTES)
            staged, plan = services.people_import_stage(
                actor=actor, filename=upload.name or "", content=content
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _render_import(request, {"form": form, **_preview_context(plan, staged=staged)})
    apply_bootstrap(form)
    return _render_import(request, {"form": form}, status=400)


@login_required
@require_POST
def people_import_commit(request: HttpRequest, import_id: int) -> HttpResponse:
    """Write the checked file: all rows or none (if a row has become invalid since the check,
    nothing is written), or, when the admin chose it, the valid rows with a report of the rest."""
    actor = _org_admin(request)
    valid_only = request.POST.get("mode") == "valid"
    try:
        staged = people_import_access(actor=actor, import_id=import_id)
    except NotFound as error:
        raise Http404 from error
    try:
        plan = services.people_import_commit_staged(
            actor=actor, staged=staged, valid_only=valid_only
        )
    except DomainError as error:
        form = ImportUploadForm()
        apply_bootstrap(form)
        return _render_import(
            request,
            {"form": form, "commit_error": error.detail, "commit_errors": error.errors},
            status=error.status,
        )
    counts = plan.counts
    done = gettext(
        "Import done: %(added)s added, %(updated)s updated, %(unchanged)s unchanged."
    ) % {"added": counts["create"], "updated": counts["update"], "unchanged": counts["unchanged"]}
    skipped = [row for row in plan.rows if row.action == services.RowAction.SKIP]
    if plan.rejected:
        # The report, on the page itself: which rows went in, which did not, and why.
        form = ImportUploadForm()
        apply_bootstrap(form)
        imported = [row for row in plan.rows if row.action != services.RowAction.REJECT]
        return _render_import(
            request,
            {
                "form": form,
                "report": done,
                "rejected": plan.rejected,
                "imported": imported,
                "skip_reason": gettext(services.SKIP_REASON),
            },
        )
    messages.success(request, done)
    if skipped:
        rows = ", ".join(str(row.row) for row in skipped)
        messages.warning(
            request,
            ngettext("Row %(rows)s: %(reason)s", "Rows %(rows)s: %(reason)s", len(skipped))
            % {"rows": rows, "reason": gettext(services.SKIP_REASON)},
        )
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("people:list")
        return response
    return redirect("people:list")


@login_required
def people_import_template(request: HttpRequest) -> HttpResponse:
    """An empty file with the headers the import accepts, to fill in (UTF-8 with BOM)."""
    _org_admin(request)
    response = HttpResponse(
        "".join(csvfile.write_rows([])).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people-import-template.csv"'
    return response


# --- skills -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def skills(request: HttpRequest) -> HttpResponse:
    """The organisation's skill list: add, rename, delete. Org admins and programme managers."""
    actor = _skill_manager(request)
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill = services.skill_create(
                actor=actor,
                name=form.cleaned_data["name"],
                category=form.cleaned_data["category"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, gettext("'%(name)s' is on the skill list.") % {"name": skill.name}
            )
            return redirect("people:skills")
    apply_bootstrap(form)
    search = request.GET.get("q", "").strip()
    context = {
        "nav_section": "skills",
        "form": form,
        "skills": selectors.skill_list(actor=actor, search=search),
        "search": search,
    }
    return render(request, "people/skills.html", context, status=400 if form.errors else 200)


def _managed_skill(request: HttpRequest, skill_id: int) -> tuple[User, Skill]:
    actor = _skill_manager(request)
    try:
        return actor, skill_access(actor=actor, skill_id=skill_id, manage=True)
    except DomainError as error:
        raise Http404 from error


@login_required
@require_POST
def skill_rename(request: HttpRequest, skill_id: int) -> HttpResponse:
    actor, skill = _managed_skill(request, skill_id)
    form = SkillRenameForm(request.POST)
    if form.is_valid():
        old_name = skill.name
        try:
            skill = services.skill_update(actor=actor, skill=skill, name=form.cleaned_data["name"])
        except DomainError as error:
            messages.error(
                request,
                gettext("'%(name)s' was not renamed: %(reason)s")
                % {"name": old_name, "reason": error.detail},
            )
        else:
            messages.success(
                request,
                gettext("'%(old)s' is now '%(new)s'.") % {"old": old_name, "new": skill.name},
            )
    else:
        messages.error(request, gettext("Type the skill's new name."))
    return redirect("people:skills")


@login_required
@require_http_methods(["GET", "POST"])
def skill_delete(request: HttpRequest, skill_id: int) -> HttpResponse:
    """Ask first (saying how many profiles lose the skill), then delete on POST."""
    actor, skill = _managed_skill(request, skill_id)
    if request.method == "POST":
        services.skill_delete(actor=actor, skill=skill)
        messages.success(
            request,
            gettext("'%(name)s' was deleted and removed from every profile.")
            % {"name": skill.name},
        )
        return redirect("people:skills")
    context = {
        "nav_section": "skills",
        "skill": skill,
        "usage": selectors.skill_usage(skill=skill),
    }
    return render(request, "people/skill_delete.html", context)
