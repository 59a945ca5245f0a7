"""Histories for the dashboards' tests: people, pairs, signatures, meetings, answers, each at a
chosen moment in the past.

The figures are about *when* things happened, months ago, which the services (that stamp
"now") cannot write; so these rows are written directly, the way the services would have left
them (a kept AgreementVersion for a signed agreement, HELD with a held_at for a held meeting,
matched_count for an open pair).
"""

import datetime

from django.db.models import F
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.agreements.models import Agreement, AgreementVersion
from tandem.assessments.models import Competency, Rating, SelfAssessment
from tandem.conversations.models import Message
from tandem.goals.models import Goal, GoalStatus
from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import Program
from tandem.relationships.models import OPEN_STATUSES, Relationship, RelationshipStatus
from tandem.surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tandem.surveys.tests.factories import defaults_of

NOW = timezone.make_aware(datetime.datetime(2026, 6, 17, 12, 0))  # a Wednesday


def ago(days: float, now: datetime.datetime = NOW) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def person(
    program: Program,
    *,
    role: str = ParticipantRole.MENTEE,
    joined: float = 200,
    approved: float | None = 190,
    status: str | None = None,
    department: str = "Sales",
    location: str = "Leeds",
) -> Participant:
    """A participant who joined `joined` days ago and was approved `approved` days ago (None:
    not approved: invited or awaiting approval)."""
    user = UserFactory(organization=program.organization)
    ProfileFactory(user=user, department=department, location=location)
    participant = Participant.objects.create(
        program=program,
        user=user,
        role=role,
        status=status
        or (ParticipantStatus.ACTIVE if approved is not None else ParticipantStatus.PENDING),
        capacity=5 if role == ParticipantRole.MENTOR else None,
        enrolled_at=None if approved is None else ago(approved),
    )
    Participant.objects.filter(pk=participant.pk).update(created_at=ago(joined))
    participant.refresh_from_db()
    return participant


def pair(
    mentor: Participant,
    mentee: Participant,
    *,
    matched: float = 180,
    activated: float | None = 175,
    closed: float | None = None,
    status: str | None = None,
    score: float | None = None,
) -> Relationship:
    """A relationship matched `matched` days ago, activated and closed when given."""
    if status is None:
        status = RelationshipStatus.ACTIVE if activated is not None else RelationshipStatus.PROPOSED
        if closed is not None:
            status = RelationshipStatus.COMPLETED
    relationship = Relationship.objects.create(
        program=mentor.program,
        mentor=mentor,
        mentee=mentee,
        status=status,
        source="manual",
        match_score=score,
        activated_at=None if activated is None else ago(activated),
        closed_at=None if closed is None else ago(closed),
    )
    Relationship.objects.filter(pk=relationship.pk).update(created_at=ago(matched))
    if status in OPEN_STATUSES:
        Participant.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(
            matched_count=F("matched_count") + 1
        )
    relationship.refresh_from_db()
    return relationship


def sign(relationship: Relationship, *, days: float, edited_after: bool = False) -> None:
    """Both signed `days` ago; `edited_after`: the agreement was edited since (not signed)."""
    agreement = Agreement.objects.create(
        relationship=relationship,
        cadence="monthly",
        duration_months=6,
        confidentiality="Between us.",
        version=2 if edited_after else 1,
    )
    AgreementVersion.objects.create(
        agreement=agreement,
        version=1,
        content={},
        mentor_signed_at=ago(days),
        mentee_signed_at=ago(days),
        created_at=ago(days),
    )


def meeting(
    relationship: Relationship, *, days: float, minutes: int = 60, held: bool = True
) -> Meeting:
    return Meeting.objects.create(
        relationship=relationship,
        title="Catch-up",
        starts_at=ago(days),
        timezone="UTC",
        duration_minutes=minutes,
        status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
        held_at=ago(days) if held else None,
    )


def checkin(meeting_: Meeting, *, days: float, usefulness: int = 4) -> CheckIn:
    row = CheckIn.objects.create(
        meeting=meeting_, user=meeting_.relationship.mentee.user, usefulness=usefulness
    )
    CheckIn.objects.filter(pk=row.pk).update(created_at=ago(days))
    return row


def message(relationship: Relationship, *, days: float) -> Message:
    return Message.objects.create(
        relationship=relationship,
        author=relationship.mentee.user,
        body="Hello",
        created_at=ago(days),
    )


def action_done(relationship: Relationship, *, days: float) -> ActionItem:
    row = ActionItem.objects.create(
        relationship=relationship,
        title="Practise",
        owner=relationship.mentee.user,
        status=ActionItemStatus.DONE,
        closed_at=ago(days),
    )
    return row


def goal(
    relationship: Relationship, *, days: float, achieved: float | None = None, status: str = ""
) -> Goal:
    row = Goal.objects.create(
        relationship=relationship,
        title="Lead a meeting",
        measure="Led one",
        target_on=datetime.date(2026, 12, 1),
        status=status or (GoalStatus.ACHIEVED if achieved is not None else GoalStatus.ACTIVE),
        achieved_at=None if achieved is None else ago(achieved),
    )
    Goal.objects.filter(pk=row.pk).update(created_at=ago(days))
    return row


def answer(
    relationship: Relationship,
    *,
    kind: str,
    days: float,
    number: int | None = None,
    choices: list[str] | None = None,
    side: str = "mentee",
) -> SurveyAnswer:
    """One survey answer of the pair's `side`, `days` ago, to the programme's shipped survey of
    that question type (nps → the NPS survey, rating → pulse, pairing_fit → pairing fit)."""
    surveys = defaults_of(relationship.program_id)
    survey = {
        "nps": surveys["nps"],
        "rating": surveys["pulse"],
        "pairing_fit": surveys["pairing_fit"],
    }[kind]
    version = survey.versions.order_by("-number").first()
    assert version is not None
    user = getattr(relationship, side).user
    invitation = SurveyInvitation.objects.create(
        survey=survey,
        version=version,
        relationship=relationship,
        user=user,
        occasion=f"test-{SurveyInvitation.objects.count()}",
    )
    response = SurveyResponse.objects.create(
        invitation=invitation, version=version, submitted_at=ago(days)
    )
    return SurveyAnswer.objects.create(
        response=response,
        question_key=kind,
        question_type=kind,
        number=number,
        choices=choices or [],
    )


def assessment(
    relationship: Relationship,
    *,
    moment: str,
    days: float,
    scores: dict[Competency, int],
    side: str = "mentee",
) -> SelfAssessment:
    row = SelfAssessment.objects.create(
        relationship=relationship,
        user=getattr(relationship, side).user,
        moment=moment,
        submitted_at=ago(days),
    )
    Rating.objects.bulk_create(
        Rating(assessment=row, competency=competency, score=score)
        for competency, score in scores.items()
    )
    return row
