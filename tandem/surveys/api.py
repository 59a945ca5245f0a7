"""Surveys over HTTP: thin — guard, then a service or selector, then a schema.

A person reads and answers their own invitations (anyone else: 404). Programme managers and
organisation admins define the programme's surveys and read their results: aggregates only,
withheld below the minimum group (`selectors.survey_results`).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.core.params import Id
from tandem.programs.permissions import program_access
from tandem.surveys import selectors, services
from tandem.surveys.definition import DEFINITION_JSON_SCHEMA
from tandem.surveys.models import Survey, SurveyInvitation, SurveyResponse, SurveyVersion
from tandem.surveys.permissions import invitation_access, survey_access
from tandem.surveys.schemas import (
    InvitationDetailOut,
    ResponseIn,
    ResponseOut,
    SurveyCreateIn,
    SurveyInvitationOut,
    SurveyOut,
    SurveyResultsOut,
    SurveyUpdateIn,
)

router = Router(tags=["surveys"])


def _invitation(invitation: SurveyInvitation, *, is_answered: bool) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "survey_title": invitation.survey.title,
        "program_name": invitation.survey.program.name,
        "relationship_id": invitation.relationship_id,
        "occasion": invitation.occasion,
        "created_at": invitation.created_at,
        "is_answered": is_answered,
    }


def _response(response: SurveyResponse) -> dict[str, Any]:
    return {
        "invitation_id": response.invitation_id,
        "version": response.version.number,
        "submitted_at": response.submitted_at,
        "answers": list(response.answers.all()),
    }


def _survey(survey: Survey, current: SurveyVersion | None = None) -> dict[str, Any]:
    current = current or selectors.survey_current_version(survey=survey)
    return {
        "id": survey.pk,
        "program_id": survey.program_id,
        "kind": survey.kind,
        "title": survey.title,
        "audience": survey.audience,
        "trigger": survey.trigger,
        "offset_days": survey.offset_days,
        "repeat_days": survey.repeat_days,
        "is_active": survey.is_active,
        "template_key": survey.template_key,
        "version": current.number if current else 0,
        "definition": current.definition if current else {},
    }


@router.get("/surveys/definition-schema", summary="The JSON schema every survey definition follows")
def definition_schema(request: HttpRequest) -> dict[str, Any]:
    return DEFINITION_JSON_SCHEMA


@router.get("/surveys/invitations", response=list[SurveyInvitationOut], summary="My surveys")
def invitation_list(request: HttpRequest) -> object:
    return [
        _invitation(invitation, is_answered=invitation.is_answered)  # type: ignore[attr-defined]
        for invitation in selectors.invitation_list_for_user(user=caller(request))
    ]


@router.get(
    "/surveys/invitations/{invitation_id}",
    response=InvitationDetailOut,
    summary="One of my surveys: its questions, and my answers once given",
)
def invitation_detail(request: HttpRequest, invitation_id: Id) -> object:
    invitation = invitation_access(actor=caller(request), invitation_id=invitation_id)
    response = selectors.response_for_invitation(invitation=invitation)
    shown = response.version if response else invitation.version
    return {
        **_invitation(invitation, is_answered=response is not None),
        "version": shown.number,
        "definition": shown.definition,
        "my_answers": list(response.answers.all()) if response else [],
        "submitted_at": response.submitted_at if response else None,
    }


@router.post(
    "/surveys/invitations/{invitation_id}/response",
    response={201: ResponseOut},
    summary="Answer one of my surveys (once)",
)
def response_submit(request: HttpRequest, invitation_id: Id, payload: ResponseIn) -> object:
    response = services.response_submit(
        actor=caller(request), invitation_id=invitation_id, answers=payload.answers
    )
    return Status(201, _response(response))


@router.get(
    "/programs/{program_id}/surveys",
    response=list[SurveyOut],
    summary="The programme's surveys (its managers)",
)
def survey_list(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return [
        _survey(survey, current)
        for survey, current in selectors.survey_list_for_program(program=program)
    ]


@router.post(
    "/programs/{program_id}/surveys",
    response={201: SurveyOut},
    summary="Add a survey of the programme's own",
)
def survey_create(request: HttpRequest, program_id: Id, payload: SurveyCreateIn) -> object:
    survey = services.survey_create(actor=caller(request), program_id=program_id, **payload.dict())
    return Status(201, _survey(survey))


@router.post(
    "/programs/{program_id}/surveys/defaults",
    response=list[SurveyOut],
    summary="Add the shipped surveys the programme does not have yet",
)
def survey_defaults_add(request: HttpRequest, program_id: Id) -> object:
    surveys = services.survey_defaults_add(actor=caller(request), program_id=program_id)
    return [_survey(survey) for survey in surveys]


@router.patch(
    "/surveys/{survey_id}",
    response=SurveyOut,
    summary="Edit a survey (a new version once someone has answered)",
)
def survey_update(request: HttpRequest, survey_id: Id, payload: SurveyUpdateIn) -> object:
    data = payload.dict(exclude_unset=True)
    change = services.SurveyChange(
        title=data.get("title"),
        is_active=data.get("is_active"),
        trigger=data.get("trigger"),
        audience=data.get("audience"),
        offset_days=data.get("offset_days"),
        repeat_days=data.get("repeat_days"),
        clear_repeat="repeat_days" in data and data["repeat_days"] is None,
        definition=data.get("definition"),
    )
    survey = services.survey_update(actor=caller(request), survey_id=survey_id, change=change)
    return _survey(survey)


@router.get(
    "/surveys/{survey_id}/results",
    response=SurveyResultsOut,
    summary="A survey's results: totals over at least the minimum group, never one person",
)
def survey_results(request: HttpRequest, survey_id: Id) -> object:
    survey = survey_access(actor=caller(request), survey_id=survey_id)
    results = selectors.survey_results(survey=survey)
    return {
        "survey_id": survey.pk,
        "min_group": results.min_group,
        "invited_people": results.invited_people,
        "response_rate": results.response_rate,
        "published_through": results.published_through,
        "questions": [question.__dict__ for question in results.questions],
    }
