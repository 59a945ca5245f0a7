"""A person's page: who may open it, what it shows, what it never shows, and its cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import ACTOR_NAMES, start_relationship
from tandem.conversations.services import message_post
from tandem.goals.services import goal_create
from tandem.journals.services import journal_entry_create
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.tests.factories import ProgramFactory


def person_url(user):
    return reverse("workspace:person", args=[user.pk])


def open_as(client, actor, person):
    if actor is not None:
        client.force_login(actor)
    return client.get(person_url(person))


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_a_participants_page_is_for_the_org_admin_and_the_programmes_managers(cast, client, name):
    # when each actor opens the mentee's page
    response = open_as(client, cast.by_name(name), cast.mentee)
    # then
    assert response.status_code == {"anonymous": 302, "admin": 200, "manager": 200}.get(name, 404)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_someone_in_no_programme_is_for_the_org_admin_alone(cast, client, name):
    response = open_as(client, cast.by_name(name), cast.member)
    assert response.status_code == {"anonymous": 302, "admin": 200}.get(name, 404)


def test_the_page_shows_profile_programmes_with_role_and_status_and_the_pairs(pair, client):
    # given the mentee also takes part in a programme the manager does not manage
    cast = pair.cast
    elsewhere = ProgramFactory(organization=cast.org, name="Sales academy")
    ParticipantFactory(program=elsewhere, user=cast.mentee, role=ParticipantRole.MENTOR)
    # when the admin and the manager open the mentee's page
    as_admin = open_as(client, cast.admin, cast.mentee).content.decode()
    as_manager = open_as(client, cast.manager, cast.mentee).content.decode()
    # then the admin sees both programmes, the manager only theirs
    assert "Leadership cohort" in as_admin
    assert "Sales academy" in as_admin
    assert "Leadership cohort" in as_manager
    assert "Sales academy" not in as_manager
    # and the pair with its partner's page linked
    assert person_url(cast.mentor) in as_manager
    assert cast.mentee.profile.department in as_manager
    for page in (as_admin, as_manager):
        assert "<td>Mentee</td>" in page
        assert "<td>Active</td>" in page


def test_the_page_never_shows_what_the_pair_wrote(pair, client):
    # given the pair wrote a journal entry, a message and a goal
    journal_entry_create(
        actor=pair.mentee, relationship_id=pair.relationship.pk, text="JOURNAL-SECRET"
    )
    message_post(actor=pair.mentor, relationship_id=pair.relationship.pk, body="MESSAGE-SECRET")
    goal_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        title="GOAL-SECRET",
        measure="MEASURE-SECRET",
        target_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    # when the admin and the manager open both people's pages
    for viewer in (pair.cast.admin, pair.cast.manager):
        for person in (pair.mentor, pair.mentee):
            page = open_as(client, viewer, person).content.decode()
            # then none of it is there
            assert "SECRET" not in page


def count_queries(client, person):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(person_url(person)).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_for_one_pair_or_twelve(
    cast, client, django_assert_max_num_queries
):
    # given a mentor in one pair
    client.force_login(cast.manager)
    start_relationship(cast.mentor_participant, cast.mentee_participant)
    one = count_queries(client, cast.mentor)
    # when they take eleven more pairs in eleven more programmes the manager runs
    for index in range(11):
        program = ProgramFactory(organization=cast.org, managers=[cast.manager], name=f"P{index}")
        mentor = ParticipantFactory(
            program=program, user=cast.mentor, role=ParticipantRole.MENTOR, capacity=2
        )
        start_relationship(mentor, ParticipantFactory(program=program))
    # then
    with django_assert_max_num_queries(20):
        assert count_queries(client, cast.mentor) == one
