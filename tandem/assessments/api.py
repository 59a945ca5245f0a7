"""Assessments over HTTP: thin — guard, then a service or selector, then a schema.

The pair's endpoints answer only the mentor and the mentee (404 for anyone else): each sees
their own answers, and their partner's only for a moment the partner shared. Programme
managers get the summary (averages over several people, never one person's answers) and
manage the programme's own competencies.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tandem.accounts.api_auth import caller
from tandem.assessments import selectors, services
from tandem.assessments.models import SCORE_ANCHORS, Moment
from tandem.assessments.schemas import (
    AssessmentOut,
    AssessmentOverviewOut,
    AssessmentProgramSummaryOut,
    AssessmentSubmitIn,
    CompetencyCreateIn,
    CompetencyOut,
    CompetencyUpdateIn,
)
from tandem.core.params import Id
from tandem.programs.permissions import program_access
from tandem.relationships.permissions import relationship_access

router = Router(tags=["assessments"])

ASSESSMENTS = "/relationships/{relationship_id}/assessments"
COMPETENCIES = "/programs/{program_id}/competencies"


def _overview(request: HttpRequest, relationship_id: Id) -> dict[str, Any]:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    overview = selectors.assessment_overview(access=access)
    return {
        "relationship_id": relationship_id,
        "competencies": overview.competencies,
        "scale": [{"score": s, "label": label} for s, label in SCORE_ANCHORS.items()],
        "start_open": overview.start_open,
        "end_open": overview.end_open,
        "end_opens_on": overview.end_opens_on,
        "mine": overview.mine,
        "growth": [
            {
                "competency_id": row.competency.pk,
                "start": row.start,
                "end": row.end,
                "change": row.growth,
            }
            for row in overview.rows
        ],
        "partner": overview.partner,
    }


@router.get(
    ASSESSMENTS,
    response=AssessmentOverviewOut,
    summary="My self-assessments and growth; my partner's where they shared them",
)
def assessment_overview(request: HttpRequest, relationship_id: Id) -> object:
    return _overview(request, relationship_id)


@router.post(
    ASSESSMENTS,
    response={201: AssessmentOut},
    summary="Take my starting or closing self-assessment (every competency answered)",
)
def assessment_submit(
    request: HttpRequest, relationship_id: Id, payload: AssessmentSubmitIn
) -> object:
    assessment = services.assessment_submit(
        actor=caller(request),
        relationship_id=relationship_id,
        moment=payload.moment,
        ratings=payload.ratings,
        notes=payload.notes,
    )
    return Status(201, assessment)


@router.post(
    ASSESSMENTS + "/{moment}/share",
    response=AssessmentOut,
    summary="Let my partner see my answers for this moment",
)
def assessment_share(request: HttpRequest, relationship_id: Id, moment: Moment) -> object:
    return services.assessment_share(
        actor=caller(request), relationship_id=relationship_id, moment=moment
    )


@router.post(
    ASSESSMENTS + "/{moment}/unshare",
    response=AssessmentOut,
    summary="Make my answers for this moment private again",
)
def assessment_unshare(request: HttpRequest, relationship_id: Id, moment: Moment) -> object:
    return services.assessment_unshare(
        actor=caller(request), relationship_id=relationship_id, moment=moment
    )


@router.get(
    "/programs/{program_id}/assessments/summary",
    response=AssessmentProgramSummaryOut,
    summary="Average starting and closing scores per competency (managers; aggregates only)",
)
def assessment_summary(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    summary = selectors.assessment_program_summary(program=program)
    return {
        "program_id": program.pk,
        "min_group": summary.min_group,
        "published_through": summary.published_through,
        "start_count": summary.start_count,
        "end_count": summary.end_count,
        "people_with_both": summary.people_with_both,
        "pairs_with_both": summary.pairs_with_both,
        "rows": [
            {
                "competency": row.competency,
                "start_people": row.start_people,
                "end_people": row.end_people,
                "average_start": row.average_start,
                "average_end": row.average_end,
                "change": row.change,
            }
            for row in summary.rows
        ],
    }


@router.get(
    COMPETENCIES,
    response=list[CompetencyOut],
    summary="The competencies a programme asks about: the six built-ins, then its own",
)
def competency_list(request: HttpRequest, program_id: Id) -> object:
    program = program_access(actor=caller(request), program_id=program_id, manage=True)
    return selectors.competency_list_for_program(program=program, include_inactive=True)


@router.post(
    COMPETENCIES, response={201: CompetencyOut}, summary="Add a programme's own competency"
)
def competency_create(request: HttpRequest, program_id: Id, payload: CompetencyCreateIn) -> object:
    competency = services.competency_create(
        actor=caller(request), program_id=program_id, **payload.dict()
    )
    return Status(201, competency)


@router.patch(
    COMPETENCIES + "/{competency_id}",
    response=CompetencyOut,
    summary="Edit, deactivate or reactivate a programme's own competency",
)
def competency_update(
    request: HttpRequest, program_id: Id, competency_id: Id, payload: CompetencyUpdateIn
) -> object:
    return services.competency_update(
        actor=caller(request),
        program_id=program_id,
        competency_id=competency_id,
        **payload.dict(exclude_unset=True),
    )


@router.delete(
    COMPETENCIES + "/{competency_id}",
    response={204: None},
    summary="Delete a programme's own competency nobody has rated (else deactivate it)",
)
def competency_delete(request: HttpRequest, program_id: Id, competency_id: Id) -> object:
    services.competency_delete(
        actor=caller(request), program_id=program_id, competency_id=competency_id
    )
    return Status(204, None)
