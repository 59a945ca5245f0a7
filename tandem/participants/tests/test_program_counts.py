"""The enrolment counts programmes' lists and pages show (mentors and mentees enrolled, people
awaiting approval). This app owns them (`selectors.with_enrolment_counts`) and composes the pages
and endpoints that show them (`program_pages`, `program_api`): every role and status counted
the same way by the API, the list page and the detail page, in a fixed number of queries."""

import itertools

import pytest
from django.urls import reverse

from tandem.participants.models import ParticipantRole, ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory

EVERY_ENROLMENT = list(itertools.product(ParticipantRole.values, ParticipantStatus.values))


def _enrol(program, role, status):
    return ParticipantFactory(program=program, role=role, status=status)


def _item(response, name):
    (item,) = [item for item in response.json()["items"] if item["name"] == name]
    return item


@pytest.mark.parametrize(("role", "status"), EVERY_ENROLMENT)
def test_list_counts_only_enrolled_people_of_each_role(cast, api_as, client, role, status):
    # given the cast's programme (one active mentor, one active mentee) and one more person
    _enrol(cast.program, role, status)
    enrolled = status == ParticipantStatus.ACTIVE
    expected = {
        "mentor_count": 1 + (enrolled and role == ParticipantRole.MENTOR),
        "mentee_count": 1 + (enrolled and role == ParticipantRole.MENTEE),
    }
    # when
    response = api_as(cast.manager).get("programs", {"status": "published"})
    client.force_login(cast.manager)
    page = client.get(reverse("programs:list"))
    detail = client.get(reverse("programs:detail", args=[cast.program.pk]))
    # then the API, the list page and the detail page count the same people
    item = _item(response, "Leadership cohort")
    assert {key: item[key] for key in expected} == expected
    (listed,) = [p for p in page.context["programs"] if p.pk == cast.program.pk]
    awaiting = int(status == ParticipantStatus.PENDING)
    shown = (listed.mentor_count, listed.mentee_count, listed.awaiting_count)
    assert shown == (expected["mentor_count"], expected["mentee_count"], awaiting)
    program = detail.context["program"]
    assert (program.mentor_count, program.mentee_count, program.awaiting_count) == shown


def test_list_query_budget(cast, api_as, django_assert_max_num_queries):
    # given eight more programmes, each with people in every role and status
    for index in range(8):
        program = ProgramFactory(
            organization=cast.org, name=f"Cohort {index}", managers=[cast.manager, cast.admin]
        )
        for role, status in EVERY_ENROLMENT:
            _enrol(program, role, status)
        EnrollmentQuestionFactory(program=program)
    client = api_as(cast.admin)
    # when
    # (the sixth: every programme's eligible groups, in one prefetch)
    with django_assert_max_num_queries(6):
        response = client.get("programs")
    # then
    assert response.json()["count"] == 9


def test_list_page_query_budget(cast, client, django_assert_max_num_queries):
    # given
    for index in range(10):
        program = ProgramFactory(
            organization=cast.org, name=f"Cohort {index}", managers=[cast.manager]
        )
        for role, status in EVERY_ENROLMENT:
            _enrol(program, role, status)
    client.force_login(cast.admin)
    # when
    with django_assert_max_num_queries(6):
        response = client.get(reverse("programs:list"))
    # then
    assert len(response.context["programs"]) == 11


def test_detail_page_query_budget(cast, client, django_assert_max_num_queries):
    # given
    for index in range(8):
        EnrollmentQuestionFactory(program=cast.program, prompt=f"Question {index}?")
    for _ in range(5):
        _enrol(cast.program, ParticipantRole.MENTEE, ParticipantStatus.ACTIVE)
    client.force_login(cast.manager)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(reverse("programs:detail", args=[cast.program.pk]))
    # then
    assert len(response.context["questions"]) == 8
    assert response.context["program"].mentee_count == 6


@pytest.mark.parametrize(("role", "status"), EVERY_ENROLMENT)
def test_a_member_sees_their_place_not_internals(cast, client, role, status):
    # given a member with a place of every role and status in the programme
    place = _enrol(cast.program, role, status)
    client.force_login(place.user)
    # when
    html = client.get(reverse("programs:detail", args=[cast.program.pk])).content.decode()
    # then a holding place is shown instead of "Enrol", and the colour is the managers' business
    holding = status in (ParticipantStatus.ACTIVE, ParticipantStatus.PENDING)
    enrol_link = reverse("participants:enroll", args=[cast.program.pk])
    assert (enrol_link in html) is not holding
    assert ('data-testid="my-place"' in html) is holding
    if holding:
        assert f"as a {role}" in html
    assert ">Colour</dt>" not in html
    assert f"<code>{cast.program.colour}</code>" not in html
