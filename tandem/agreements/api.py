"""Agreements over HTTP: thin — guard, then a service or selector, then a schema."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.agreements import selectors, services
from tandem.agreements.schemas import (
    AgreementOut,
    AgreementSignIn,
    AgreementTemplateIn,
    AgreementTemplateOut,
    AgreementUpdateIn,
    AgreementVersionOut,
    AgreementVersionSummaryOut,
)
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id, Version
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import relationship_access

router = Router(tags=["agreements"])


def _agreement_out(request: HttpRequest, relationship_id: Id) -> dict[str, Any]:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    detail = selectors.agreement_get_for_workspace(access=access)
    agreement = detail.agreement
    return {
        **services.agreement_content(agreement),
        "relationship_id": relationship_id,
        "version": agreement.version,
        "status": detail.status,
        "mentor_signed_at": detail.mentor_signed_at,
        "mentee_signed_at": detail.mentee_signed_at,
        "signed_by_me": detail.signed_by_me,
        "updated_at": agreement.updated_at,
        "signed_versions": [kept.version for kept in detail.kept_versions],
    }


@router.get(
    "/relationships/{relationship_id}/agreement",
    response=AgreementOut,
    summary="The pair's mentoring agreement (the mentor and the mentee)",
)
def agreement_get(request: HttpRequest, relationship_id: Id) -> object:
    return _agreement_out(request, relationship_id)


@router.put(
    "/relationships/{relationship_id}/agreement",
    response=AgreementOut,
    summary="Edit the agreement, based on the version you saw (signatures must be given again)",
)
def agreement_update(
    request: HttpRequest, relationship_id: Id, payload: AgreementUpdateIn
) -> object:
    services.agreement_update(
        actor=caller(request), relationship_id=relationship_id, **payload.dict()
    )
    return _agreement_out(request, relationship_id)


@router.post(
    "/relationships/{relationship_id}/agreement/sign",
    response=AgreementOut,
    summary="Sign the current version of the agreement",
)
def agreement_sign(request: HttpRequest, relationship_id: Id, payload: AgreementSignIn) -> object:
    services.agreement_sign(
        actor=caller(request), relationship_id=relationship_id, version=payload.version
    )
    return _agreement_out(request, relationship_id)


@router.get(
    "/relationships/{relationship_id}/agreement/versions",
    response=list[AgreementVersionSummaryOut],
    summary="The versions both people signed, newest first",
)
@paginate(LimitOffsetPagination)
def agreement_versions(request: HttpRequest, relationship_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.agreement_version_list(access=access)


@router.get(
    "/relationships/{relationship_id}/agreement/versions/{version}",
    response=AgreementVersionOut,
    summary="One signed version, as it was signed",
)
def agreement_version(request: HttpRequest, relationship_id: Id, version: Version) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.agreement_version_get(access=access, version=version)


@router.get(
    "/programs/{program_id}/agreement-template",
    response=AgreementTemplateOut,
    summary="A programme's agreement template (its managers)",
)
def agreement_template_get(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.agreement_template_get(program=program)


@router.put(
    "/programs/{program_id}/agreement-template",
    response=AgreementTemplateOut,
    summary="Change a programme's agreement template (its managers)",
)
def agreement_template_update(
    request: HttpRequest, program_id: Id, payload: AgreementTemplateIn
) -> object:
    return services.agreement_template_update(
        actor=caller(request), program_id=program_id, **payload.dict()
    )
