"""A mentor's own controls: pause/resume new mentees, and capacity (never below current)."""

import pytest
from django.db import IntegrityError, transaction

from conftest import ACTOR_NAMES
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.participants.models import Participant
from tandem.participants.services import participant_set_accepting, participant_set_capacity
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.services import relationship_propose


def _places(participant: Participant) -> tuple[int | None, int, bool]:
    row = Participant.objects.get(pk=participant.pk)
    return row.capacity, row.matched_count, row.is_accepting_mentees


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- services ----------------------------------------------------------------------------


def test_a_mentor_pauses_and_resumes(cast):
    # when
    paused = participant_set_accepting(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, accepting=False
    )
    # then
    assert paused.is_accepting_mentees is False
    assert _places(cast.mentor_participant) == (2, 0, False)
    # when
    participant_set_accepting(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, accepting=True
    )
    # then
    assert _places(cast.mentor_participant) == (2, 0, True)


def test_a_manager_may_pause_a_mentor(cast):
    # when
    participant_set_accepting(
        actor=cast.manager, participant_id=cast.mentor_participant.pk, accepting=False
    )
    # then
    assert _places(cast.mentor_participant) == (2, 0, False)


def test_a_mentee_has_no_availability_to_pause(cast):
    # when
    with pytest.raises(Conflict, match="only mentors take mentees"):
        participant_set_accepting(
            actor=cast.mentee, participant_id=cast.mentee_participant.pk, accepting=False
        )
    # then
    assert Participant.objects.get(pk=cast.mentee_participant.pk).is_accepting_mentees is True


def test_someone_else_cannot_pause_a_mentor(cast):
    # when / then
    with pytest.raises(NotFound):
        participant_set_accepting(
            actor=cast.mentee, participant_id=cast.mentor_participant.pk, accepting=False
        )
    assert _places(cast.mentor_participant) == (2, 0, True)


def test_a_mentor_changes_capacity(cast):
    # when
    changed = participant_set_capacity(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, capacity=5
    )
    # then
    assert changed.capacity == 5
    assert _places(cast.mentor_participant) == (5, 0, True)


def test_capacity_can_go_down_to_the_mentees_already_taken(cast):
    # given two mentees matched with the mentor
    other = ParticipantFactory(program=cast.program)
    for mentee in (cast.mentee_participant, other):
        relationship_propose(mentor=cast.mentor_participant, mentee=mentee, source="manual")
    participant_set_capacity(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, capacity=4
    )
    # when
    participant_set_capacity(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, capacity=2
    )
    # then
    assert _places(cast.mentor_participant) == (2, 2, True)


def test_capacity_below_the_mentees_already_taken_is_a_clear_conflict(cast):
    # given two mentees matched with the mentor (capacity 2)
    other = ParticipantFactory(program=cast.program)
    for mentee in (cast.mentee_participant, other):
        relationship_propose(mentor=cast.mentor_participant, mentee=mentee, source="manual")
    # when
    with pytest.raises(Conflict) as refused:
        participant_set_capacity(
            actor=cast.mentor, participant_id=cast.mentor_participant.pk, capacity=1
        )
    # then
    assert refused.value.detail == (
        f"{cast.mentor} already has 2 mentees in Leadership cohort, so their capacity cannot "
        "go below 2."
    )
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "capacity", "message": "The capacity cannot be below 2 (current mentees)."}
    ]
    assert _places(cast.mentor_participant) == (2, 2, True)


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        (0, "A mentor's capacity must be at least 1 mentee."),
        (101, "A mentor's capacity can be at most 100 mentees."),
    ],
)
def test_capacity_out_of_range_is_invalid(cast, capacity, message):
    # when
    with pytest.raises(InvalidInput, match=message):
        participant_set_capacity(
            actor=cast.mentor, participant_id=cast.mentor_participant.pk, capacity=capacity
        )
    # then
    assert _places(cast.mentor_participant) == (2, 0, True)


def test_a_mentee_cannot_set_a_mentors_capacity(cast):
    # when / then: the mentee does not see the mentor's row
    with pytest.raises(NotFound):
        participant_set_capacity(
            actor=cast.mentee, participant_id=cast.mentor_participant.pk, capacity=9
        )
    assert _places(cast.mentor_participant) == (2, 0, True)


def test_the_database_refuses_a_capacity_under_matched_count(cast):
    # given: the CHECK is the last line of defence, whatever a caller does
    relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=cast.mentor_participant.pk).update(capacity=0)
    assert _places(cast.mentor_participant) == (2, 1, True)


# --- API ---------------------------------------------------------------------------------


AVAILABILITY_MATRIX = [
    ("anonymous", 401),
    ("outsider", 404),
    ("member", 404),
    ("mentee", 404),
    ("mentor", 200),
    ("other_manager", 404),
    ("manager", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("actor_name", "status"), AVAILABILITY_MATRIX)
def test_availability_matrix(cast, api_as, actor_name, status):
    # given
    assert actor_name in ACTOR_NAMES
    url = f"participants/{cast.mentor_participant.pk}/availability"
    # when
    response = api_as(cast.by_name(actor_name)).post(url, {"accepting": False})
    # then
    if status != 200:
        _problem(response, status)
        assert _places(cast.mentor_participant) == (2, 0, True)
        return
    assert response.status_code == 200
    assert response.json() == {
        "id": cast.mentor_participant.pk,
        "program_id": cast.program.pk,
        "capacity": 2,
        "matched_count": 0,
        "is_accepting_mentees": False,
    }
    assert _places(cast.mentor_participant) == (2, 0, False)


@pytest.mark.parametrize(("actor_name", "status"), AVAILABILITY_MATRIX)
def test_capacity_matrix(cast, api_as, actor_name, status):
    # given
    url = f"participants/{cast.mentor_participant.pk}/capacity"
    # when
    response = api_as(cast.by_name(actor_name)).post(url, {"capacity": 3})
    # then
    if status != 200:
        _problem(response, status)
        assert _places(cast.mentor_participant) == (2, 0, True)
        return
    assert response.json() == {
        "id": cast.mentor_participant.pk,
        "program_id": cast.program.pk,
        "capacity": 3,
        "matched_count": 0,
        "is_accepting_mentees": True,
    }
    assert _places(cast.mentor_participant) == (3, 0, True)


def test_capacity_api_refuses_zero_and_allows_exactly_the_mentees_taken(cast, api_as):
    # given one mentee matched with the mentor (capacity 2)
    relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    url = f"participants/{cast.mentor_participant.pk}/capacity"
    # when
    zero = api_as(cast.mentor).post(url, {"capacity": 0})
    one = api_as(cast.mentor).post(url, {"capacity": 1})
    # then
    assert _problem(zero, 400)["errors"] == [
        {"field": "capacity", "message": "A mentor's capacity must be at least 1 mentee."}
    ]
    assert (one.status_code, one.json()["capacity"], one.json()["matched_count"]) == (200, 1, 1)
    assert _places(cast.mentor_participant) == (1, 1, True)


def test_capacity_api_says_why_in_problem_json(cast, api_as):
    # given
    other = ParticipantFactory(program=cast.program)
    for mentee in (cast.mentee_participant, other):
        relationship_propose(mentor=cast.mentor_participant, mentee=mentee, source="manual")
    # when
    response = api_as(cast.mentor).post(
        f"participants/{cast.mentor_participant.pk}/capacity", {"capacity": 1}
    )
    # then
    assert _problem(response, 409) == {
        "type": "https://tandem.example/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": f"{cast.mentor} already has 2 mentees in Leadership cohort, so their "
        "capacity cannot go below 2.",
        "errors": [
            {"field": "capacity", "message": "The capacity cannot be below 2 (current mentees)."}
        ],
    }
    assert _places(cast.mentor_participant) == (2, 2, True)


def test_mentee_availability_is_a_conflict(cast, api_as):
    # when
    response = api_as(cast.mentee).post(
        f"participants/{cast.mentee_participant.pk}/availability", {"accepting": False}
    )
    # then
    assert _problem(response, 409)["detail"] == (
        f"{cast.mentee} is a mentee in Leadership cohort; only mentors take mentees."
    )
