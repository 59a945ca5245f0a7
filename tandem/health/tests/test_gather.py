"""The gatherer against the pure core: histories generated through the owners' services (and
times moved back, since tests cannot wait), an independent oracle of the inputs, and the
stored snapshot must be exactly `score(oracle)`. Then the query count, flat in the number of
pairs."""

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.aggregates import week_of
from tandem.goals.models import Goal, ProgressMode
from tandem.health.gather import CHECKIN_WINDOW, health_inputs
from tandem.health.models import RelationshipHealth
from tandem.health.scoring import HealthInputs, score
from tandem.health.services import health_refresh
from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
from tandem.notifications.services import outbox_enqueue
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.services import response_submit
from tandem.surveys.tests.factories import defaults_of, invite

EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


@st.composite
def histories(draw: st.DrawFn) -> dict:
    activated = draw(st.integers(0, 150))
    meetings = draw(
        st.lists(
            st.tuples(
                st.integers(0, activated),
                st.none() | st.integers(1, 5),  # the mentor's check-in
                st.none() | st.integers(1, 5),  # the mentee's check-in
            ),
            max_size=4,
        )
    )
    return {
        "activated": activated,
        "meetings": meetings,
        "activity": draw(st.none() | st.integers(0, activated)),
        "goal": draw(st.none() | st.integers(0, 100)),
        "fit": draw(st.sampled_from([None, "good_fit", "still_deciding", "not_a_good_fit"])),
        "pulse": draw(st.none() | st.integers(1, 5)),
        "nudges": draw(st.integers(0, 3)),
        "cadence": draw(st.sampled_from(["weekly", "fortnightly", "monthly"])),
    }


def _play(history: dict, relationship: Relationship, now: datetime.datetime) -> HealthInputs:
    """Write `history` for `relationship`; return the oracle's inputs."""
    mentor, mentee = relationship.mentor.user, relationship.mentee.user
    ago = lambda days: now - datetime.timedelta(days=days)  # noqa: E731
    ratings = []
    for days, mentor_rating, mentee_rating in history["meetings"]:
        held_at = ago(days)
        meeting = Meeting.objects.create(
            relationship=relationship,
            title="Talk",
            starts_at=held_at,
            timezone="UTC",
            status=MeetingStatus.HELD,
            held_at=held_at,
        )
        for user, rating in ((mentor, mentor_rating), (mentee, mentee_rating)):
            if rating is not None:
                CheckIn.objects.create(meeting=meeting, user=user, usefulness=rating)
                if held_at >= now - CHECKIN_WINDOW:
                    ratings.append(rating)
    if history["goal"] is not None:
        Goal.objects.create(
            relationship=relationship,
            title="Speak up",
            measure="In meetings",
            target_on=(now + datetime.timedelta(days=90)).date(),
            progress_mode=ProgressMode.MANUAL,
            manual_progress=history["goal"],
        )
    surveys = defaults_of(relationship.program_id)
    if history["fit"] is not None:
        invitation = invite(surveys["pairing_fit"], relationship, mentee, occasion="fit")
        response_submit(
            actor=mentee,
            invitation_id=invitation.pk,
            answers={"fit": history["fit"], "first_meeting": 3},
        )
    if history["pulse"] is not None:
        invitation = invite(surveys["pulse"], relationship, mentor, occasion="pulse")
        response_submit(
            actor=mentor,
            invitation_id=invitation.pk,
            answers={"progress": history["pulse"], "rhythm": "Once"},
        )
    Relationship.objects.filter(pk=relationship.pk).update(
        activated_at=ago(history["activated"]),
        last_activity_at=None if history["activity"] is None else ago(history["activity"]),
    )
    relationship.program.__class__.objects.filter(pk=relationship.program_id).update(
        cadence=history["cadence"]
    )
    # nudges written after the last activity (the outbox stamps them now, which is later)
    for index in range(history["nudges"]):
        outbox_enqueue(
            key=f"inactivity:{relationship.pk}:{mentee.pk}:period-{index}",
            rule="inactivity",
            recipient=mentee,
            category="nudges",
            subject="Quiet",
            text="Quiet",
        )
    held = [days for days, _, _ in history["meetings"]]

    def coarse(days: int | None) -> int | None:
        """What managers may know of an activity `days` ago: whole weeks between week starts."""
        if days is None:
            return None
        return (week_of(now) - week_of(now - datetime.timedelta(days=days))).days

    return HealthInputs(
        status="active",
        cadence=history["cadence"],
        days_active=history["activated"],
        meetings_held=len(held),
        days_since_meeting=coarse(min(held)) if held else None,
        days_since_activity=coarse(history["activity"]),
        checkin_count=len(ratings),
        checkin_mean=sum(ratings) / len(ratings) if ratings else None,
        goals_set=0 if history["goal"] is None else 1,
        goal_progress=history["goal"],
        steps_overdue=0,  # no journey stored: its steps are covered in test_services
        fit_concern=history["fit"] == "not_a_good_fit",
        pulse_low=history["pulse"] is not None and history["pulse"] <= 2,
        nudges_unanswered=history["nudges"],
    )


def _rounded(inputs: HealthInputs) -> HealthInputs:
    mean = inputs.checkin_mean
    return dataclasses.replace(inputs, checkin_mean=None if mean is None else round(mean, 6))


@EXAMPLES
@given(first=histories(), second=histories())
def test_the_stored_score_is_the_core_applied_to_the_history(pair, first, second):
    with rolled_back():
        # given: both pairs of the programme play a history; no agreement is stored, so both
        # read the programme's cadence, which the second history sets last
        now = timezone.now()
        first_oracle = _play(first, pair.relationship, now)
        second_oracle = _play(second, pair.other_relationship, now)
        oracles = {
            pair.relationship.pk: dataclasses.replace(first_oracle, cadence=second["cadence"]),
            pair.other_relationship.pk: second_oracle,
        }
        # when
        gathered = {item.relationship_id: item.inputs for item in health_inputs(now=now)}
        health_refresh(now=now)
        # then: the gatherer reads what the oracle kept, and the snapshot is the core's answer
        assert {pk: _rounded(inputs) for pk, inputs in gathered.items()} == {
            pk: _rounded(inputs) for pk, inputs in oracles.items()
        }
        stored = {row.relationship_id: row for row in RelationshipHealth.objects.all()}
        for relationship_id, inputs in oracles.items():
            result = score(inputs)
            row = stored[relationship_id]
            assert (row.score, row.bucket, row.sentence, row.computed_at) == (
                result.score,
                result.bucket,
                result.sentence,
                now,
            )
            assert row.components == [component.as_dict() for component in result.components]


def _programme_of(pair, count: int) -> None:
    """`count` more active pairs in the fixture's programme, each with a held meeting, a
    check-in and a goal (so every query of the gatherer has rows)."""
    program = pair.cast.program
    now = timezone.now()
    for _ in range(count):
        mentor = ParticipantFactory(program=program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=program, user__organization=program.organization)
        relationship = Relationship.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.ACTIVE,
            source="manual",
            started_on=(now - datetime.timedelta(days=60)).date(),
            activated_at=now - datetime.timedelta(days=60),
            last_activity_at=now - datetime.timedelta(days=20),
        )
        meeting = Meeting.objects.create(
            relationship=relationship,
            title="Talk",
            starts_at=now - datetime.timedelta(days=20),
            timezone="UTC",
            status=MeetingStatus.HELD,
            held_at=now - datetime.timedelta(days=20),
        )
        CheckIn.objects.create(meeting=meeting, user=mentee.user, usefulness=4)
        Goal.objects.create(
            relationship=relationship,
            title="Goal",
            measure="Measure",
            target_on=(now + datetime.timedelta(days=60)).date(),
        )


def _refresh_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        health_refresh()
    return len(queries)


@pytest.mark.parametrize(("small", "large"), [(3, 40)])
def test_refreshing_costs_the_same_queries_for_few_and_many_pairs(pair, small, large):
    # given
    _programme_of(pair, small)
    few = _refresh_queries()
    # when
    _programme_of(pair, large - small)
    many = _refresh_queries()
    # then: the same number of queries, and every open pair scored
    assert few == many
    assert RelationshipHealth.objects.count() == large + 2


def test_a_later_answer_replaces_an_earlier_concern(pair):
    # given: the mentee said "not a good fit", then, asked again, "a good fit"; the mentor's
    # pulse says progress is slow
    surveys = defaults_of(pair.cast.program.pk)
    for occasion, fit in (("first", "not_a_good_fit"), ("again", "good_fit")):
        invitation = invite(surveys["pairing_fit"], pair.relationship, pair.mentee, occasion)
        response_submit(
            actor=pair.mentee,
            invitation_id=invitation.pk,
            answers={"fit": fit, "first_meeting": 4},
            now=timezone.now() + datetime.timedelta(minutes=1 if occasion == "again" else 0),
        )
    invitation = invite(surveys["pulse"], pair.relationship, pair.mentor, "pulse")
    response_submit(
        actor=pair.mentor, invitation_id=invitation.pk, answers={"progress": 1, "rhythm": "Once"}
    )
    # when
    inputs = {item.relationship_id: item.inputs for item in health_inputs()}
    # then
    assert (inputs[pair.relationship.pk].fit_concern, inputs[pair.relationship.pk].pulse_low) == (
        False,
        True,
    )
    assert (inputs[pair.other_relationship.pk].fit_concern,) == (False,)
