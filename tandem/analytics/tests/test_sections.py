"""The sections kept in the cache (funnel, satisfaction, skills): computed once per refresh,
per month, scope, filters and minimum group; a refresh starts a new generation and warms the
dashboards people open first, so their first reader runs none of those sections' queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.services import organization_settings_update
from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

IN_MAY = (20, 25, 30, 35, 40, 22, 28, 33)  # days before h.NOW (17 June 2026)
SECTION_TABLES = ("analytics_funnelentry", "surveys_surveyanswer", "assessments_rating")


def nps_answers(program, count, *, days=IN_MAY):
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = count
    mentor.save(update_fields=["capacity"])
    for index in range(count):
        relationship = h.pair(mentor, h.person(program))
        h.answer(relationship, kind="nps", days=days[index % len(days)], number=9)


def nps_people(program, *, role=ParticipantRole.MENTEE):
    scope = Scope(program_ids=(program.pk,), filters=Filters(role=role), now=h.NOW)
    return selectors.dashboard(scope)["satisfaction"]["nps"]["people"]


def test_a_section_is_computed_once_until_the_next_refresh(cast):
    # given six people answered in May, read once
    program = ProgramFactory(organization=cast.org)
    nps_answers(program, 6)
    assert nps_people(program) == 6
    # when six more answers land in May (as a late import would) the cached figure stands
    nps_answers(program, 6)
    assert nps_people(program) == 6
    # then the refresh starts a new generation and the figure follows the data
    analytics_refresh(now=h.NOW)
    assert nps_people(program) == 12


@pytest.mark.parametrize("size", [3, 5, 7, 8])
def test_the_organisations_minimum_group_is_part_of_the_key(cast, size):
    # given seven people answered in May, read under the default minimum (5)
    program = ProgramFactory(organization=cast.org)
    nps_answers(program, 7)
    assert nps_people(program) == 7
    # when the organisation's admins change the minimum, with no refresh
    organization_settings_update(
        actor=cast.admin, organization=cast.org, aggregate_min_group_size=size
    )
    # then the next read publishes by the new minimum at once, never by the cached one
    assert nps_people(program) == (7 if size <= 7 else 0)


def test_filters_and_roles_are_part_of_the_key(cast):
    program = ProgramFactory(organization=cast.org)
    nps_answers(program, 6)
    assert nps_people(program) == 6
    assert nps_people(program, role=ParticipantRole.MENTOR) == 0
    scope = Scope(program_ids=(program.pk,), filters=Filters(department="Legal"), now=h.NOW)
    assert selectors.dashboard(scope)["satisfaction"]["nps"]["people"] == 0


@pytest.mark.parametrize("reader", ["program_manager", "manager_rollup", "admin_rollup"])
@pytest.mark.parametrize("role", ParticipantRole.values)
def test_after_a_refresh_the_dashboards_people_open_first_read_no_section_rows(
    cast, api_as, reader, role
):
    # given two programmes of the manager's and one of another manager's, with answers
    mine = [ProgramFactory(organization=cast.org, managers=[cast.manager]) for _ in range(2)]
    other = ProgramFactory(organization=cast.org, managers=[cast.other_manager])
    for program in (*mine, other):
        nps_answers(program, 5)
    analytics_refresh()
    path, actor = {
        "program_manager": (f"programs/{mine[0].pk}/analytics", cast.manager),
        "manager_rollup": ("analytics", cast.manager),
        "admin_rollup": ("analytics", cast.admin),
    }[reader]
    client = api_as(actor)
    client.get("me/profile")  # the token's first use is recorded once
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"role": role})
    # then
    assert response.status_code == 200
    read = [q["sql"] for q in queries if any(t in q["sql"] for t in SECTION_TABLES)]
    assert read == []
