"""The people API: my profile, the skill list, the directory, CSV import and export."""

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.audit.services import audit_export
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id
from tandem.people import csvfile, selectors, services
from tandem.people.permissions import require_org_admin, skill_access
from tandem.people.schemas import (
    ImportOut,
    PersonOut,
    ProfileOut,
    ProfileUpdateIn,
    SkillCreateIn,
    SkillOut,
    SkillUpdateIn,
    SkillWithUsageOut,
)

router = Router(tags=["people"])


class PeopleFilters(Schema):
    search: str = ""
    department: str = ""


def _profile(request: HttpRequest) -> object:
    """The caller's profile in three queries (it, then the skills on each side); only a first
    visit, before the profile exists, pays for the transaction that creates it."""
    actor = caller(request)
    profile = selectors.profile_get(actor=actor)
    if profile is None:
        services.profile_get_or_create(actor=actor)
        profile = selectors.profile_get(actor=actor)
    return profile


@router.get("/me/profile", response=ProfileOut, summary="My profile")
def profile_get(request: HttpRequest) -> object:
    return _profile(request)


@router.patch("/me/profile", response=ProfileOut, summary="Change my profile")
def profile_update(request: HttpRequest, payload: ProfileUpdateIn) -> object:
    changes = payload.dict(exclude_unset=True)
    if "timezone" in changes:
        changes["timezone_name"] = changes.pop("timezone")
    services.profile_update(actor=caller(request), **changes)
    return _profile(request)


@router.get("/skills", response=list[SkillWithUsageOut], summary="The organisation's skill list")
def skill_list(request: HttpRequest, search: str = "") -> object:
    return selectors.skill_list(actor=caller(request), search=search)


@router.post("/skills", response={201: SkillOut}, summary="Add a skill")
def skill_create(request: HttpRequest, payload: SkillCreateIn) -> object:
    skill = services.skill_create(
        actor=caller(request), name=payload.name, category=payload.category
    )
    return Status(201, skill)


@router.patch("/skills/{skill_id}", response=SkillOut, summary="Rename a skill")
def skill_update(request: HttpRequest, skill_id: Id, payload: SkillUpdateIn) -> object:
    actor = caller(request)
    skill = skill_access(actor=actor, skill_id=skill_id, manage=True)
    return services.skill_update(
        actor=actor, skill=skill, name=payload.name, category=payload.category
    )


@router.delete(
    "/skills/{skill_id}",
    response={204: None},
    summary="Delete a skill (it is removed from every profile)",
)
def skill_delete(request: HttpRequest, skill_id: Id) -> object:
    actor = caller(request)
    skill = skill_access(actor=actor, skill_id=skill_id, manage=True)
    services.skill_delete(actor=actor, skill=skill)
    return Status(204, None)


@router.get("/people", response=list[PersonOut], summary="People directory (org admins)")
@paginate(KeysetPagination)
def person_list(request: HttpRequest, filters: Query[PeopleFilters]) -> object:
    actor = caller(request)
    require_org_admin(actor)
    return selectors.person_list_for_org_admin(
        actor=actor, search=filters.search, department=filters.department
    )


@router.get(
    "/people/export",
    summary="Export people as CSV (org admins)",
    description="UTF-8 with BOM, the same columns the import reads.",
)
def people_export(request: HttpRequest) -> StreamingHttpResponse:
    actor = caller(request)
    require_org_admin(actor)
    audit_export(
        actor=actor, organization_id=actor.organization_id, what="people", export_format="csv"
    )
    response = StreamingHttpResponse(
        selectors.people_export_csv(actor=actor), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


def import_out(plan: services.ImportPlan, *, dry_run: bool) -> dict[str, object]:
    ordered = plan.rejected + [row for row in plan.rows if row.action != "reject"]
    return {
        "dry_run": dry_run,
        "committed": plan.committed,
        "counts": plan.counts,
        "columns": plan.columns,
        "warnings": plan.warnings,
        "rows": [
            {
                "row": row.row,
                "email": row.email,
                "action": row.action.value,
                "changes": row.changes,
                "errors": [error.as_dict() for error in row.errors],
            }
            for row in ordered
        ],
    }


@router.post(
    "/people/imports",
    response=ImportOut,
    summary="Import people from an HR CSV (org admins)",
    description=(
        "Upload the file as multipart field `file`. With `dry_run=true` (the default) nothing "
        "is written and the answer is the plan for every row. With `dry_run=false` the file "
        "is imported in one transaction, or, if any row is rejected, nothing is written and "
        "the answer is a 400 problem+json whose `errors` name each row, column and reason."
    ),
)
def people_import(request: HttpRequest, file: File[UploadedFile], dry_run: bool = True) -> object:
    actor = caller(request)
    require_org_admin(actor)
    content = csvfile.read_upload(file, settings.PEOPLE_IMPORT_MAX_BYTES)
    if dry_run:
        plan = services.people_import_preview(actor=actor, content=content)
    else:
        plan = services.people_import_commit(actor=actor, content=content)
    return import_out(plan, dry_run=dry_run)
