"""`next_actor`: for every status, who must act next, said to each reader."""

import pytest

from tandem.relationships.lifecycle import next_actor
from tandem.relationships.models import RelationshipSource, RelationshipStatus
from tandem.relationships.services import relationship_propose

S = RelationshipStatus


@pytest.mark.parametrize("source", RelationshipSource.values)
@pytest.mark.parametrize("status", S.values)
def test_every_status_and_source_has_one_next_step_per_reader(cast, status, source):
    # given
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source=source
    )
    relationship.status = status
    mentor, mentee = cast.mentor, cast.mentee
    # when
    steps = {
        name: next_actor(relationship, reader)
        for name, reader in (("mentor", mentor), ("mentee", mentee), ("manager", cast.manager))
    }
    # then nobody acts on an active or closed pair
    if status in (S.ACTIVE, S.COMPLETED, S.ENDED):
        assert steps == {"mentor": None, "mentee": None, "manager": None}
        return
    # the manager is never the one whose turn it is, and reads names, never "you"
    assert steps["manager"] is not None
    assert not steps["manager"].is_readers_turn
    assert "you" not in steps["manager"].text.lower().split()
    if status == S.PROPOSED and source != RelationshipSource.REQUEST:
        # a proposed pair waits for its mentor to accept
        assert (steps["mentor"].text, steps["mentor"].is_readers_turn) == (
            "Your turn: accept or decline",
            True,
        )
        assert (steps["mentee"].text, steps["mentee"].is_readers_turn) == (
            f"Waiting for {mentor.short_name} to accept",
            False,
        )
        assert steps["manager"].actors == (mentor.pk,)
    else:
        # a kick-off or a pause waits for either of the two
        assert steps["mentor"].is_readers_turn
        assert steps["mentee"].is_readers_turn
        assert mentee.short_name in steps["mentor"].text
        assert mentor.short_name in steps["mentee"].text
        assert steps["manager"].actors == (mentor.pk, mentee.pk)
    # and no reader is named to themselves
    assert mentor.short_name not in steps["mentor"].text
    assert mentee.short_name not in steps["mentee"].text
