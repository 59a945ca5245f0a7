"""The analytics API: who may read which dashboard, its filters' errors, and a query count that
does not grow with the programme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import ACTOR_NAMES
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.health.selectors import program_health_summary
from tandem.health.services import health_refresh
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import OPEN_STATUSES, Relationship

PROGRAM_STATUS = {
    "anonymous": 401,
    "outsider": 404,
    "member": 403,
    "mentee": 403,
    "mentor": 403,
    "other_manager": 403,
    "manager": 200,
    "admin": 200,
}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_program_dashboard_is_for_its_managers_and_admins(cast, api_as, actor_name):
    # given: the scheduler scored the programme's open pairs
    health_refresh()
    open_pairs = Relationship.objects.filter(program=cast.program, status__in=OPEN_STATUSES).count()
    # when
    response = api_as(cast.by_name(actor_name)).get(f"programs/{cast.program.pk}/analytics")
    # then
    assert response.status_code == PROGRAM_STATUS[actor_name]
    if response.status_code == 200:
        body = response.json()
        assert body["program_ids"] == [cast.program.pk]
        assert set(body) >= {"funnel", "matching", "engagement", "satisfaction", "skills"}
        # the same buckets as health's own summary, every open pair in one of them
        expected = program_health_summary(program_ids=[cast.program.pk])[cast.program.pk]
        assert body["health"]["available"] is True
        assert body["health"]["buckets"] == expected
        assert sum(expected.values()) == open_pairs
    else:
        assert response["Content-Type"] == "application/problem+json"


ROLLUP = {
    "anonymous": (401, None),
    "outsider": (200, "none"),  # their own organisation's, which has no programme
    "member": (403, None),
    "mentee": (403, None),
    "mentor": (403, None),
    "other_manager": (200, "none"),  # manages no programme
    "manager": (200, "program"),
    "admin": (200, "program"),
}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_organisation_rollup_covers_the_programmes_the_caller_manages(cast, api_as, actor_name):
    # given: another programme of Northwind the manager is not on
    other = ProgramFactory(organization=cast.org, managers=[cast.other_manager])
    # when
    response = api_as(cast.by_name(actor_name)).get("analytics")
    # then
    status, covers = ROLLUP[actor_name]
    assert response.status_code == status
    if covers == "none":
        expected = [other.pk] if actor_name == "other_manager" else []
        assert response.json()["program_ids"] == expected
    elif covers == "program":
        expected = sorted([cast.program.pk] + ([other.pk] if actor_name == "admin" else []))
        assert sorted(response.json()["program_ids"]) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 105}, "weeks"),
        ({"joined_from": "yesterday"}, "joined_from"),
        ({"department": "x" * 151}, "department"),
        ({"location": "Leeds\x00"}, "location"),
        ({"department": "Sales\nOps"}, "department"),
    ],
)
def test_malformed_filters_are_422_naming_the_field(cast, api_as, params, field):
    response = api_as(cast.manager).get(f"programs/{cast.program.pk}/analytics", params)
    assert response.status_code == 422
    assert any(field in error["field"] for error in response.json()["errors"])


def test_a_cohort_that_ends_before_it_starts_is_400(cast, api_as):
    response = api_as(cast.manager).get(
        f"programs/{cast.program.pk}/analytics",
        {"joined_from": "2026-05-01", "joined_to": "2026-04-01"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "joined_to", "message": "The end of the cohort is before its start."}
    ]


def _grow(program, pairs):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = pairs
    mentor.save(update_fields=["capacity"])
    for index in range(pairs):
        relationship = h.pair(mentor, h.person(program), score=index / pairs)
        h.sign(relationship, days=100)
        h.meeting(relationship, days=20)
        h.message(relationship, days=10)
        h.answer(relationship, kind="nps", days=30, number=index % 11)
    analytics_refresh()


@pytest.mark.django_db
def test_the_dashboard_takes_the_same_number_of_queries_for_5_and_50_pairs(cast, api_as):
    # given
    small = ProgramFactory(organization=cast.org, managers=[cast.manager])
    large = ProgramFactory(organization=cast.org, managers=[cast.manager])
    _grow(small, 5)
    _grow(large, 50)
    client = api_as(cast.manager)
    client.get("analytics")  # the token's first use is recorded once
    counts = []
    for program in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"programs/{program.pk}/analytics")
        assert response.status_code == 200
        counts.append(len(queries))
    # then
    assert counts[0] == counts[1]
    assert counts[0] <= 30
