"""Every aggregate a manager reads uses the organisation's own minimum group: with the setting
at k (3..8), a closed month in which k - 1 people contributed is withheld and one in which k
did is shown, in the self-assessment summary, the resources' completion rates and a survey's
results alike; the analytics dashboards and the outcomes report read the same setting."""

import datetime

import pytest
from django.utils import timezone

from conftest import start_relationship
from tandem.accounts.services import organization_settings_update
from tandem.accounts.tests.factories import UserFactory
from tandem.analytics.filters import Scope
from tandem.assessments.selectors import assessment_program_summary
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import age_answers, all_scores
from tandem.core.aggregates import current_period, min_group_size
from tandem.outcomes.selectors import OutcomesQuery, outcomes_report
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.permissions import program_access
from tandem.resources.models import ResourceProgress
from tandem.resources.selectors import resource_completion_rates
from tandem.resources.services import resource_create, resource_mark_done
from tandem.surveys.models import SurveyInvitation, SurveyResponse, Trigger
from tandem.surveys.permissions import survey_access
from tandem.surveys.selectors import survey_results
from tandem.surveys.services import response_submit, survey_create
from tandem.surveys.tests.factories import invite

CASES = [(size, people) for size in range(3, 9) for people in (size - 1, size)]


def _last_month() -> datetime.datetime:
    day = current_period() - datetime.timedelta(days=15)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.parametrize(("size", "people"), CASES)
def test_each_reader_withholds_exactly_below_the_organisations_minimum(cast, size, people):
    # given the organisation's minimum group set to `size` by its admin
    organization_settings_update(
        actor=cast.admin, organization=cast.org, aggregate_min_group_size=size
    )
    resource = resource_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        kind="guide",
        title="Kick-off questions",
        body_markdown="? What do you hope to learn?",
        stages=["getting-started"],
    )
    survey = survey_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        title="How is it going",
        trigger=Trigger.HALFWAY,
        definition={
            "intro": "",
            "questions": [{"key": "score", "type": "rating", "text": "Score?", "required": True}],
        },
    )
    # and `people` mentees, each in a pair, who took the self-assessment, marked the piece
    # done and answered the survey, all last month
    for _ in range(people):
        mentor = ParticipantFactory(
            program=cast.program,
            user=UserFactory(organization=cast.org),
            role=ParticipantRole.MENTOR,
            capacity=1,
        )
        mentee = ParticipantFactory(program=cast.program, user=UserFactory(organization=cast.org))
        relationship = start_relationship(mentor, mentee)
        assessment_submit(
            actor=mentee.user,
            relationship_id=relationship.pk,
            moment="start",
            ratings=all_scores(relationship, 4),
        )
        resource_mark_done(actor=mentee.user, resource_id=resource.pk)
        invitation = invite(survey, relationship, mentee.user)
        response_submit(actor=mentee.user, invitation_id=invitation.pk, answers={"score": 4})
    age_answers()
    Participant.objects.update(enrolled_at=_last_month())
    ResourceProgress.objects.update(done_at=_last_month())
    SurveyInvitation.objects.update(created_at=_last_month())
    SurveyResponse.objects.update(submitted_at=_last_month())
    # when the managers read them, the programme and survey loaded the way their pages do
    program = program_access(actor=cast.manager, program_id=cast.program.pk, manage=True)
    summary = assessment_program_summary(program=program)
    (rate,) = [
        row for row in resource_completion_rates(program=program) if row.resource.pk == resource.pk
    ]
    results = survey_results(survey=survey_access(actor=cast.manager, survey_id=survey.pk))
    # then each shows the `people` exactly when there are at least `size` of them
    shown = people if people >= size else 0
    assert summary.min_group == results.min_group == size
    assert {row.start_people for row in summary.rows} == {shown}
    assert summary.start_count == shown
    assert rate.done == shown
    assert results.questions[0].people == shown


@pytest.mark.parametrize("size", range(3, 9))
def test_the_dashboards_and_the_outcomes_report_use_the_organisations_minimum(cast, size):
    # given the organisation's minimum group set to `size` by its admin
    organization_settings_update(
        actor=cast.admin, organization=cast.org, aggregate_min_group_size=size
    )
    cast.admin.refresh_from_db()
    # then the analytics' scope (satisfaction and skills publish by it) and the outcomes
    # report withhold below the organisation's minimum, not the site's default
    assert Scope(program_ids=(cast.program.pk,)).min_group == size
    report = outcomes_report(actor=cast.admin, query=OutcomesQuery())
    assert report.min_group == size
    # and a roll-up over no programme falls back to the rule's default
    assert Scope(program_ids=()).min_group == min_group_size()
