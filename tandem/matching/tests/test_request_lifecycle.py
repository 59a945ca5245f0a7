"""A match request's status table, over every status and action."""

import pytest

from tandem.core.errors import Conflict
from tandem.matching.models import RequestStatus
from tandem.matching.requests.lifecycle import REQUEST_LIFECYCLE

EXPECTED = {
    ("awaiting_approval", "withdraw"): "withdrawn",
    ("pending", "withdraw"): "withdrawn",
    ("pending", "accept"): "accepted",
    ("pending", "decline"): "declined",
    ("awaiting_approval", "approve"): "pending",
    ("awaiting_approval", "reject"): "declined",
}
DONE = {
    "withdraw": "withdrawn",
    "accept": "accepted",
    "decline": "declined",
    "approve": "approved",
    "reject": "rejected",
}


@pytest.mark.parametrize("status", RequestStatus.values)
@pytest.mark.parametrize("action", list(DONE))
def test_every_status_and_action_moves_as_the_table_says_or_is_refused_in_words(status, action):
    # given a request in `status`, when `action` is applied
    target = REQUEST_LIFECYCLE.find(status, action)
    if (status, action) in EXPECTED:
        # then it leads where the table says
        assert target is not None
        assert REQUEST_LIFECYCLE.apply(status, action).target == EXPECTED[(status, action)]
        return
    # then it is refused naming the status as a person reads it
    assert target is None
    with pytest.raises(Conflict) as caught:
        REQUEST_LIFECYCLE.apply(status, action)
    label = RequestStatus(status).label.lower()
    assert caught.value.detail == f"This request cannot be {DONE[action]}: its status is '{label}'."
