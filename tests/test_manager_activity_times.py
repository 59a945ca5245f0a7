"""Outside the signals list, a manager reading one relationship (GET /relationships/{id})
sees the week of its last activity, never the moment; the pair see the moment."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.relationships.models import Relationship


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(2024, 1, 1),
        max_value=datetime.datetime(2026, 12, 31),
        timezones=st.just(datetime.UTC),
    ),
    name=st.sampled_from(["manager", "admin", "mentor", "mentee"]),
)
def test_one_relationship_shows_a_manager_the_week_of_the_last_activity(pair, api_as, moment, name):
    # given the pair last acted at any moment
    Relationship.objects.filter(pk=pair.relationship.pk).update(last_activity_at=moment)
    # when someone who may read the relationship reads it
    body = api_as(pair.by_name(name)).get(f"relationships/{pair.relationship.pk}").json()
    shown = datetime.datetime.fromisoformat(body["last_activity_at"])
    # then the pair see the moment (to the millisecond the API gives), managers its week's
    # Monday at midnight
    if name in ("mentor", "mentee"):
        assert datetime.timedelta(0) <= moment - shown < datetime.timedelta(milliseconds=1)
    else:
        monday = moment.date() - datetime.timedelta(days=moment.weekday())
        assert shown == datetime.datetime.combine(monday, datetime.time.min, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_no_activity_stays_none_for_a_manager(pair, api_as):
    Relationship.objects.filter(pk=pair.relationship.pk).update(last_activity_at=None)
    body = api_as(pair.cast.manager).get(f"relationships/{pair.relationship.pk}").json()
    assert body["last_activity_at"] is None
