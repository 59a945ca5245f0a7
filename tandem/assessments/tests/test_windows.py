"""When the starting and closing self-assessments are open, as the services apply it."""

import datetime

import pytest
from django.utils import timezone

from conftest import start_relationship
from tandem.assessments.models import SelfAssessment
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores, close, set_dates
from tandem.assessments.windows import end_opens_on
from tandem.core.errors import Conflict
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose, relationship_transition


def _submit(relationship, user, moment):
    relationship.refresh_from_db()
    return assessment_submit(
        actor=user, relationship_id=relationship.pk, moment=moment, ratings=all_scores(relationship)
    )


def test_end_opens_for_the_last_fifth_of_the_planned_duration():
    # given a 100-day relationship
    start = datetime.date(2026, 1, 1)
    # then the closing window opens on day 80
    assert end_opens_on(start, start + datetime.timedelta(days=100)) == datetime.date(2026, 3, 22)
    # and rounds up: a 12-day relationship opens on day 10 (9.6 -> 10)
    assert end_opens_on(start, start + datetime.timedelta(days=12)) == datetime.date(2026, 1, 11)
    assert end_opens_on(None, start) is None


def test_start_is_open_while_proposed(cast):
    # given
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    # when
    assessment = _submit(relationship, cast.mentee, "start")
    # then
    assert SelfAssessment.objects.get().pk == assessment.pk
    assert assessment.moment == "start"


def test_start_is_open_late_in_an_active_relationship_but_not_once_paused_or_closed(pair):
    # given an active relationship well past its first 30 days
    set_dates(pair.relationship, started_days_ago=120, duration_days=365)
    # when / then: still open (only no longer prompted)
    _submit(pair.relationship, pair.mentor, "start")
    # given paused
    relationship_transition(actor=pair.mentee, relationship_id=pair.relationship.pk, action="pause")
    # then
    with pytest.raises(Conflict, match="starting self-assessment is not open now"):
        _submit(pair.relationship, pair.mentee, "start")
    assert list(SelfAssessment.objects.values_list("user_id", "moment")) == [
        (pair.mentor.pk, "start")
    ]


def test_end_is_closed_before_the_last_fifth(pair):
    # given day 79 of 100
    set_dates(pair.relationship, started_days_ago=79, duration_days=100)
    # then
    with pytest.raises(Conflict, match="opens for the last fifth of the planned duration"):
        _submit(pair.relationship, pair.mentee, "end")
    assert SelfAssessment.objects.count() == 0


@pytest.mark.parametrize("days_in", [80, 100, 130])
def test_end_is_open_from_the_last_fifth_while_running(pair, days_in):
    # given day 80 of 100 (or later, even past the planned end while still active)
    set_dates(pair.relationship, started_days_ago=days_in, duration_days=100)
    # when
    assessment = _submit(pair.relationship, pair.mentee, "end")
    # then
    assert (assessment.user_id, assessment.moment) == (pair.mentee.pk, "end")


def test_end_is_open_while_paused_in_the_last_fifth(pair):
    # given
    set_dates(pair.relationship, started_days_ago=90, duration_days=100)
    relationship_transition(actor=pair.mentee, relationship_id=pair.relationship.pk, action="pause")
    # when
    _submit(pair.relationship, pair.mentor, "end")
    # then
    assert SelfAssessment.objects.filter(moment="end").count() == 1


@pytest.mark.parametrize(("action", "days_ago"), [("complete", 0), ("complete", 29), ("end", 10)])
def test_end_is_open_for_30_days_after_completion_or_an_early_end(pair, action, days_ago):
    # given early in the relationship, then closed
    set_dates(pair.relationship, started_days_ago=10, duration_days=365)
    close(pair.relationship, action=action, days_ago=days_ago)
    # when
    _submit(pair.relationship, pair.mentee, "end")
    # then
    assert SelfAssessment.objects.filter(moment="end", user=pair.mentee).count() == 1


def test_end_shuts_30_days_after_completion(pair):
    # given
    close(pair.relationship, days_ago=31)
    # then
    with pytest.raises(Conflict, match="stays open for 30 days after"):
        _submit(pair.relationship, pair.mentee, "end")
    assert SelfAssessment.objects.count() == 0


def test_start_is_refused_once_completed(pair):
    # given
    close(pair.relationship)
    # then
    with pytest.raises(Conflict):
        _submit(pair.relationship, pair.mentee, "start")


def test_a_proposed_relationship_has_no_closing_window(cast):
    # given
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    assert Relationship.objects.get(pk=relationship.pk).planned_end_on is None
    # then
    with pytest.raises(Conflict):
        _submit(relationship, cast.mentee, "end")


def test_start_relationship_sets_dates_the_windows_read(cast):
    # given
    relationship = start_relationship(cast.mentor_participant, cast.mentee_participant)
    # then (the window rules rely on these)
    assert relationship.started_on == timezone.localdate()
    assert relationship.planned_end_on is not None
