import pytest

from tandem.core.errors import Conflict
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.services import relationship_propose


def _counts(*participants: Participant) -> list[int]:
    return [Participant.objects.get(pk=p.pk).matched_count for p in participants]


def test_propose_takes_a_place_on_both_sides(cast):
    # when
    relationship = relationship_propose(
        mentor=cast.mentor_participant,
        mentee=cast.mentee_participant,
        source="bulk",
        score=7.5,
        explanation={"skills": 4.0, "goals": 3.5},
    )
    # then
    assert (relationship.status, relationship.program_id, relationship.match_score) == (
        RelationshipStatus.PROPOSED,
        cast.program.pk,
        7.5,
    )
    assert _counts(cast.mentor_participant, cast.mentee_participant) == [1, 1]


def test_a_full_mentor_is_refused_and_nothing_changes(cast):
    # given a mentor with one place, already taken
    mentor = ParticipantFactory(program=cast.program, role=ParticipantRole.MENTOR, capacity=1)
    first, second = ParticipantFactory.create_batch(2, program=cast.program)
    relationship_propose(mentor=mentor, mentee=first, source="bulk")
    # when
    with pytest.raises(Conflict, match="no mentee places left"):
        relationship_propose(mentor=mentor, mentee=second, source="request")
    # then
    assert _counts(mentor, second) == [1, 0]
    assert Relationship.objects.filter(mentee=second).count() == 0


def test_a_mentee_gets_one_mentor_per_programme(cast):
    other_mentor = ParticipantFactory(program=cast.program, role=ParticipantRole.MENTOR)
    relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="bulk"
    )
    with pytest.raises(Conflict, match="already has a mentor"):
        relationship_propose(mentor=other_mentor, mentee=cast.mentee_participant, source="bulk")
    assert _counts(other_mentor, cast.mentee_participant) == [0, 1]
