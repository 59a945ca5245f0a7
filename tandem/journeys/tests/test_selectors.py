import datetime

import pytest
from django.utils import timezone

from conftest import start_relationship
from tandem.accounts.tests.factories import UserFactory
from tandem.agreements.tests.factories import sign_by_both
from tandem.feedback.services import feedback_give
from tandem.goals.services import goal_create
from tandem.goals.tests.factories import in_days
from tandem.journeys import selectors, services
from tandem.journeys.models import Completion, Journey, StageKey, Step
from tandem.journeys.tests.factories import started_days_ago, step_named
from tandem.meetings.services import meeting_record_held
from tandem.meetings.tests.factories import schedule, started
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_transition


def _view(pair, user=None):
    access = relationship_access(actor=user or pair.mentee, relationship_id=pair.relationship.pk)
    return selectors.journey_for_relationship(access=access)


def _steps(view):
    return {item.step.title: item for stage in view.stages for item in stage.steps}


def _hold_meeting(relationship, by):
    meeting = started(schedule(relationship, by))
    return meeting_record_held(actor=by, relationship_id=relationship.pk, meeting_id=meeting.pk)


def test_due_dates_from_offsets_and_fractions(pair):
    # given a relationship that started 10 days ago and runs 180 days
    started_days_ago(pair.relationship, 10, length_days=180)
    start = pair.relationship.started_on
    # when
    steps = _steps(_view(pair))
    # then
    assert steps["Sign the mentoring agreement"].due_on == start + datetime.timedelta(days=7)
    assert steps["Hold the first meeting"].due_on == start + datetime.timedelta(days=14)
    assert steps["Set at least one goal"].due_on == start + datetime.timedelta(days=30)
    assert steps["Hold a mid-point review meeting"].due_on == start + datetime.timedelta(days=90)
    assert steps["Hold three meetings"].due_on == start + datetime.timedelta(days=63)
    assert steps["Write a closing reflection"].due_on == start + datetime.timedelta(days=180)
    assert steps["Sign the mentoring agreement"].overdue is True
    assert steps["Hold the first meeting"].due_soon is True
    assert steps["Set at least one goal"].overdue is False
    assert steps["Set at least one goal"].due_soon is False


def test_nothing_is_due_before_the_relationship_starts(pair):
    # given a relationship without a start date
    pair.relationship.__class__.objects.filter(pk=pair.relationship.pk).update(
        started_on=None, planned_end_on=None
    )
    # when
    view = _view(pair)
    # then
    assert all(item.due_on is None for stage in view.stages for item in stage.steps)
    assert view.current is view.stages[0]
    assert view.current.stage.key == StageKey.GETTING_STARTED


def test_a_fraction_needs_a_planned_end(pair):
    # given a start but no planned end
    pair.relationship.__class__.objects.filter(pk=pair.relationship.pk).update(planned_end_on=None)
    # when
    steps = _steps(_view(pair))
    # then
    assert steps["Hold a mid-point review meeting"].due_on is None
    assert steps["Sign the mentoring agreement"].due_on == pair.relationship.started_on + (
        datetime.timedelta(days=7)
    )


def test_journey_step_completes_itself_when_the_agreement_is_signed(pair):
    # given
    assert _steps(_view(pair))["Sign the mentoring agreement"].is_done is False
    # when both sign
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    # then
    item = _steps(_view(pair))["Sign the mentoring agreement"]
    assert (item.is_done, item.is_auto, item.overdue) == (True, True, False)


def test_first_meeting_and_n_meetings(pair):
    # given
    _hold_meeting(pair.relationship, pair.mentor)
    # when
    steps = _steps(_view(pair))
    # then
    assert steps["Hold the first meeting"].is_done is True
    assert steps["Hold three meetings"].is_done is False
    # and after two more
    _hold_meeting(pair.relationship, pair.mentee)
    _hold_meeting(pair.relationship, pair.mentor)
    assert _steps(_view(pair))["Hold three meetings"].is_done is True


def test_a_scheduled_meeting_is_not_a_held_one(pair):
    # given
    schedule(pair.relationship, pair.mentor)
    # then
    assert _steps(_view(pair))["Hold the first meeting"].is_done is False


def test_goals_set_needs_an_active_goal(pair):
    # given
    goal_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        title="Lead a meeting",
        measure="Chair two",
        target_on=in_days(30),
    )
    # then
    assert _steps(_view(pair))["Set at least one goal"].is_done is True
    assert _steps(_view(pair, pair.mentor))["Set at least one goal"].is_done is True


def test_midpoint_review_needs_a_meeting_after_half_time(pair):
    # given a meeting held now, in a relationship that started 10 days ago (half-time: day 90)
    started_days_ago(pair.relationship, 10, length_days=180)
    _hold_meeting(pair.relationship, pair.mentor)
    assert _steps(_view(pair))["Hold a mid-point review meeting"].is_done is False
    # when the relationship is past half-time and a meeting is held
    started_days_ago(pair.relationship, 100, length_days=180)
    # then
    assert _steps(_view(pair))["Hold a mid-point review meeting"].is_done is True


def test_feedback_given_needs_both_sides(pair):
    # given
    rid = pair.relationship.pk
    feedback_give(
        actor=pair.mentor,
        relationship_id=rid,
        strengths="You framed the problem clearly.",
        to_develop="Pausing before answering.",
        suggestion="Count to three before replying.",
    )
    assert _steps(_view(pair))["Give each other feedback"].is_done is False
    # when
    feedback_give(
        actor=pair.mentee, relationship_id=rid, what_helped="The mock interview.", usefulness=4
    )
    # then
    assert _steps(_view(pair))["Give each other feedback"].is_done is True


def test_relationship_completed(pair):
    # when
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    # then
    assert _steps(_view(pair))["Complete the relationship"].is_done is True


def test_manual_steps_follow_the_pairs_ticks(pair):
    # given
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    # when
    services.step_complete(actor=pair.mentor, relationship_id=pair.relationship.pk, step_id=step.pk)
    # then
    item = _steps(_view(pair))["Agree how you will track progress"]
    assert (item.is_done, item.done_by, item.is_auto) == (True, pair.mentor, False)
    # and the other pair's journey is untouched
    other = relationship_access(actor=pair.other_mentee, relationship_id=pair.other_relationship.pk)
    other_steps = _steps(selectors.journey_for_relationship(access=other))
    assert other_steps["Agree how you will track progress"].is_done is False


def test_current_stage_follows_time_not_an_overdue_earlier_step(pair):
    # given day 40: the agreement (due day 7) is unsigned and no goal is set (due day 30),
    # but by time the pair is working together (its steps are due on day 60 and 63)
    started_days_ago(pair.relationship, 40)
    view = _view(pair)
    assert view.current.stage.key == StageKey.WORKING_TOGETHER
    assert _steps(view)["Sign the mentoring agreement"].overdue is True
    # when getting started and setting goals are done
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    _hold_meeting(pair.relationship, pair.mentor)
    goal_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        title="Lead a meeting",
        measure="Chair two",
        target_on=in_days(30),
    )
    for title in (
        "Share what you hope to get out of the mentoring",
        "Agree how you will track progress",
    ):
        step = step_named(pair.cast.program.pk, title)
        services.step_complete(
            actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk
        )
    # then the stage by time: working together (its steps are due on day 60 and 63)
    view = _view(pair)
    assert view.current.stage.key == StageKey.WORKING_TOGETHER
    assert [stage.is_current for stage in view.stages] == [False, False, True, False, False]


def test_current_stage_after_every_date_is_the_last(pair):
    # given every due date has passed and everything is done but nothing else
    started_days_ago(pair.relationship, 400, length_days=180)
    program_id = pair.cast.program.pk
    services.journey_ensure(program=pair.cast.program)
    Step.objects.filter(stage__journey__program_id=program_id).update(completion=Completion.MANUAL)
    for step in Step.objects.filter(stage__journey__program_id=program_id):
        services.step_complete(
            actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=step.pk
        )
    # then
    assert _view(pair).current.stage.key == StageKey.CLOSING


def test_the_panel(pair):
    # given day 10: the agreement overdue, the first meeting due soon; the journey stored
    started_days_ago(pair.relationship, 10)
    services.journey_ensure(program=pair.cast.program)
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # when
    panel = selectors.journeys_panel(access=access)
    # then
    start = pair.relationship.started_on
    url = f"/relationships/{pair.relationship.pk}/journey/"
    sign = step_named(pair.cast.program.pk, "Sign the mentoring agreement")
    first = step_named(pair.cast.program.pk, "Hold the first meeting")
    hopes = step_named(pair.cast.program.pk, "Share what you hope to get out of the mentoring")
    day = lambda d: f"{d.day} {d:%b}"  # noqa: E731
    assert panel["url"] == url
    assert panel["current"].stage.key == StageKey.GETTING_STARTED
    assert [item.step.title for item in panel["checklist"]] == [
        "Sign the mentoring agreement",
        "Hold the first meeting",
        "Share what you hope to get out of the mentoring",
    ]
    assert (panel["done_count"], panel["total_count"]) == (0, 11)
    assert panel["next_items"] == [
        {
            "text": f"Sign the mentoring agreement (due {day(start + datetime.timedelta(days=7))})",
            "url": f"{url}#step-{sign.pk}",
            "due": start + datetime.timedelta(days=7),
            "overdue": True,
            "due_text": f"due {day(start + datetime.timedelta(days=7))}",
            "concern": "agreement_signed",
        },
        {
            "text": f"Hold the first meeting (due {day(start + datetime.timedelta(days=14))})",
            "url": f"{url}#step-{first.pk}",
            "due": start + datetime.timedelta(days=14),
            "overdue": False,
            "due_text": f"due {day(start + datetime.timedelta(days=14))}",
            "concern": "first_meeting_held",
        },
        {
            "text": "Share what you hope to get out of the mentoring "
            f"(due {day(start + datetime.timedelta(days=14))})",
            "url": f"{url}#step-{hopes.pk}",
            "due": start + datetime.timedelta(days=14),
            "overdue": False,
            "due_text": f"due {day(start + datetime.timedelta(days=14))}",
            "concern": None,
        },
    ]


def test_the_panel_of_a_closed_relationship_has_nothing_next(pair):
    # given
    started_days_ago(pair.relationship, 10)
    relationship_transition(
        actor=pair.mentor, relationship_id=pair.relationship.pk, action="complete"
    )
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # then
    assert selectors.journeys_panel(access=access)["next_items"] == []


def test_panel_query_budget(pair, django_assert_num_queries):
    # given the journey exists and the mentor ticked a step
    step = step_named(pair.cast.program.pk, "Share what you hope to get out of the mentoring")
    services.step_complete(actor=pair.mentor, relationship_id=pair.relationship.pk, step_id=step.pk)
    access = relationship_access(actor=pair.mentee, relationship_id=pair.relationship.pk)
    # then: the steps with the pair's ticks, their resources, the signals
    with django_assert_num_queries(3):
        panel = selectors.journeys_panel(access=access)
    # and the tick, with who made it, came with the steps
    ticked = next(item for item in panel["checklist"] if item.step.pk == step.pk)
    assert (ticked.is_done, ticked.done_by) == (True, pair.mentor)


# --- the batch form -------------------------------------------------------------------------


def _more_pairs(cast, count):
    relationships = []
    for index in range(count):
        mentor = UserFactory(organization=cast.org, email=f"m{index}@northwind.test")
        mentee = UserFactory(organization=cast.org, email=f"e{index}@northwind.test")
        for user in (mentor, mentee):
            ProfileFactory(user=user)
        relationship = start_relationship(
            ParticipantFactory(program=cast.program, user=mentor, role=ParticipantRole.MENTOR),
            ParticipantFactory(program=cast.program, user=mentee),
        )
        started_days_ago(relationship, 20)
        relationships.append(relationship)
    return relationships


def test_journey_steps_due(pair):
    # given day 20 (agreement due day 7 and first meeting day 14 have passed), the agreement
    # signed and the "hopes" step ticked in the pair; the other pair has done nothing
    services.journey_ensure(program=pair.cast.program)
    started_days_ago(pair.relationship, 20)
    started_days_ago(pair.other_relationship, 20)
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    program_id = pair.cast.program.pk
    hopes = step_named(program_id, "Share what you hope to get out of the mentoring")
    services.step_complete(
        actor=pair.mentee, relationship_id=pair.relationship.pk, step_id=hopes.pk
    )
    sign = step_named(program_id, "Sign the mentoring agreement")
    first = step_named(program_id, "Hold the first meeting")
    # when
    due = selectors.journey_steps_due(now=timezone.now())
    # then
    start = pair.relationship.started_on
    rel, other = pair.relationship, pair.other_relationship
    assert due == [
        selectors.DueStep(
            rel.pk,
            first.pk,
            first.title,
            start + datetime.timedelta(days=14),
            program_id,
            (pair.mentor.pk, pair.mentee.pk),
        ),
        selectors.DueStep(
            other.pk,
            sign.pk,
            sign.title,
            start + datetime.timedelta(days=7),
            program_id,
            (pair.other_mentor.pk, pair.other_mentee.pk),
        ),
        selectors.DueStep(
            other.pk,
            first.pk,
            first.title,
            start + datetime.timedelta(days=14),
            program_id,
            (pair.other_mentor.pk, pair.other_mentee.pk),
        ),
        selectors.DueStep(
            other.pk,
            hopes.pk,
            hopes.title,
            start + datetime.timedelta(days=14),
            program_id,
            (pair.other_mentor.pk, pair.other_mentee.pk),
        ),
    ]
    # and narrowed to one relationship
    assert [
        d.step_id
        for d in selectors.journey_steps_due(now=timezone.now(), relationship_ids=[rel.pk])
    ] == [first.pk]


def test_journey_steps_due_skips_paused_and_programmes_without_a_journey(pair):
    # given no journey yet
    started_days_ago(pair.relationship, 20)
    assert selectors.journey_steps_due(now=timezone.now()) == []
    # when the scheduler ensures journeys, and the other pair pauses
    assert services.journeys_ensure_for_active_programs() == 1
    relationship_transition(
        actor=pair.other_mentor, relationship_id=pair.other_relationship.pk, action="pause"
    )
    # then only the active pair's steps are due
    due = selectors.journey_steps_due(now=timezone.now())
    assert {d.relationship_id for d in due} == {pair.relationship.pk}
    assert services.journeys_ensure_for_active_programs() == 0
    assert Journey.objects.count() == 1


@pytest.mark.parametrize("count", [5, 50])
def test_journey_steps_due_query_budget(cast, count, django_assert_num_queries):
    # given
    services.journey_ensure(program=cast.program)
    relationships = _more_pairs(cast, count)
    # when / then: three queries whatever the number of relationships
    with django_assert_num_queries(3):
        due = selectors.journey_steps_due(now=timezone.now())
    assert len({d.relationship_id for d in due}) == count
    with django_assert_num_queries(3):
        selectors.journey_steps_due(
            now=timezone.now(), relationship_ids=[r.pk for r in relationships]
        )


def test_six_meetings_in_with_one_manual_step_unticked_the_pair_is_past_getting_started(pair):
    # given day 20 (by time: getting started), six meetings held, the agreement signed, a goal
    # set, but "Share what you hope to get out of the mentoring" never ticked
    started_days_ago(pair.relationship, 20)
    sign_by_both(pair.relationship, mentor=pair.mentor, mentee=pair.mentee)
    for _ in range(6):
        _hold_meeting(pair.relationship, pair.mentor)
    # when
    view = _view(pair)
    # then "Hold three meetings" (working together) is done, so that is where they are
    assert _steps(view)["Hold three meetings"].is_done is True
    assert _steps(view)["Share what you hope to get out of the mentoring"].is_done is False
    assert view.current.stage.key == StageKey.WORKING_TOGETHER
