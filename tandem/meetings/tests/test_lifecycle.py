"""The meetings' status table, over every status and verb: only a scheduled meeting moves."""

import pytest

from tandem.core.errors import Conflict
from tandem.meetings.models import MeetingStatus
from tandem.meetings.services import MEETING_LIFECYCLE

EXPECTED = {
    ("scheduled", "reschedule"): "scheduled",
    ("scheduled", "cancel"): "cancelled",
    ("scheduled", "hold"): "held",
    ("scheduled", "add agenda"): "scheduled",
    ("scheduled", "change agenda"): "scheduled",
}
DOING = {
    "reschedule": "rescheduled",
    "cancel": "cancelled",
    "hold": "marked as held",
    "add agenda": "given new agenda items",
    "change agenda": "changed",
}


@pytest.mark.parametrize("status", MeetingStatus.values)
@pytest.mark.parametrize("verb", list(DOING))
def test_every_status_and_verb_moves_as_the_table_says_or_is_refused_in_words(status, verb):
    # given a meeting in `status`, when `verb` is applied
    target = EXPECTED.get((status, verb))
    if target is not None:
        # then the move leads where the table says
        assert MEETING_LIFECYCLE.apply(status, verb).target == target
        return
    # then it is refused naming the status as a person reads it
    with pytest.raises(Conflict) as caught:
        MEETING_LIFECYCLE.apply(status, verb)
    label = MeetingStatus(status).label.lower()
    assert caught.value.detail == f"This meeting is {label}, so it cannot be {DOING[verb]}."
