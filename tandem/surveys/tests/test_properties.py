"""Generated histories: versioning keeps every answered version as it was, and a manager's
results never move when one person answers (they arrive in the open month)."""

import datetime
from typing import Any

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.aggregates import current_period
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.definition import definition_validate
from tandem.surveys.models import SurveyInvitation, SurveyResponse, SurveyVersion, Trigger
from tandem.surveys.selectors import survey_results
from tandem.surveys.services import SurveyChange, response_submit, survey_create, survey_update
from tandem.surveys.tests.factories import invite

DB = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _definition(n: int) -> dict[str, Any]:
    return {
        "intro": f"Version text {n}",
        "questions": [
            {"key": "score", "type": "rating", "text": f"Score {n}?", "required": False},
            {"key": "note", "type": "text", "text": "Note?", "required": False},
        ],
    }


operations = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 5)),
        st.tuples(st.just("answer"), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=12,
)


@DB
@given(steps=operations)
def test_answered_versions_never_change_and_answers_keep_theirs(pair, steps):
    # given: a survey and four invitations (both people, two occasions)
    cast = pair.cast
    survey = survey_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        title="Generated",
        trigger=Trigger.HALFWAY,
        definition=_definition(0),
    )
    invitations = [
        invite(survey, pair.relationship, user, occasion)
        for user in (pair.mentor, pair.mentee)
        for occasion in ("a", "b")
    ]
    frozen: dict[int, dict[str, Any]] = {}  # version id -> definition when first answered
    answered_with: dict[int, int] = {}  # invitation id -> version id it was answered on
    for kind, value in steps:
        if kind == "edit":
            survey_update(
                actor=cast.manager,
                survey_id=survey.pk,
                change=SurveyChange(definition=_definition(value)),
            )
        else:
            invitation = invitations[value]
            if invitation.pk in answered_with:
                continue
            invitation.refresh_from_db()
            response = response_submit(
                actor=invitation.user, invitation_id=invitation.pk, answers={"score": 3}
            )
            answered_with[invitation.pk] = response.version_id
            frozen.setdefault(response.version_id, response.version.definition)
        # then, after every step:
        versions = list(SurveyVersion.objects.filter(survey=survey).order_by("number"))
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        for version in versions:
            if version.pk in frozen:
                assert version.definition == frozen[version.pk]
        latest = versions[-1]
        for invitation in SurveyInvitation.objects.filter(survey=survey):
            if invitation.pk in answered_with:
                assert invitation.version_id == answered_with[invitation.pk]
                assert (
                    SurveyResponse.objects.get(invitation=invitation).version_id
                    == answered_with[invitation.pk]
                )
            else:
                assert invitation.version_id == latest.pk
        # only the latest version may be unanswered-and-editable; earlier ones all have answers
        for version in versions[:-1]:
            assert version.responses.exists()
    assert latest.definition == definition_validate(latest.definition)


def _month_start(months_ago: int) -> datetime.datetime:
    start = current_period()
    for _ in range(months_ago):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))


@DB
@given(months=st.lists(st.integers(0, 4), min_size=0, max_size=12), score=st.integers(1, 5))
def test_results_show_groups_of_at_least_k_and_never_move_when_one_person_answers(
    pair, months, score
):
    # given: people who answered in generated months (0 = this month)
    cast = pair.cast
    survey = survey_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        title="Generated",
        trigger=Trigger.HALFWAY,
        definition=_definition(0),
    )

    def person_answers(months_ago: int, value: int) -> None:
        mentor = ParticipantFactory(program=cast.program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=cast.program, user__organization=cast.org)
        relationship = Relationship.objects.create(
            program=cast.program,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.ACTIVE,
            source="manual",
        )
        invitation = invite(survey, relationship, mentee.user, "day-30")
        response = response_submit(
            actor=mentee.user, invitation_id=invitation.pk, answers={"score": value}
        )
        if months_ago:
            moment = _month_start(months_ago)
            SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=moment)
            SurveyResponse.objects.filter(pk=response.pk).update(submitted_at=moment)

    for months_ago in months:
        person_answers(months_ago, 4)
    before = survey_results(survey=survey)
    # when: one more person answers now
    person_answers(0, score)
    after = survey_results(survey=survey)
    # then: nothing a manager sees moved
    assert after == before
    closed_people = sum(1 for m in months if m > 0)
    question = before.questions[0]
    assert question.people == 0 or 5 <= question.people <= closed_people
    assert before.invited_people == 0 or before.invited_people >= 5
    assert (question.mean is None) == (question.people == 0)
