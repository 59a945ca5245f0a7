"""A mentee's request to a mentor as one status table, applied by `services._require_waiting`.

awaiting the manager -> (approve) waiting for the mentor -> accepted or declined; the manager
may reject instead of approving, and the mentee may withdraw while either waits. Expiry is
time's doing, not an action: it is checked before the table and done in bulk.
"""

from tandem.core.lifecycle import Lifecycle, Refused
from tandem.matching.models import RequestStatus

S = RequestStatus

# What each action reads as in a refusal ("This request cannot be accepted: …").
REQUEST_DONE = {
    "withdraw": "withdrawn",
    "accept": "accepted",
    "decline": "declined",
    "approve": "approved",
    "reject": "rejected",
}


def _refusal(refused: Refused) -> str:
    done = REQUEST_DONE[refused.verb]
    return f"This request cannot be {done}: its status is '{refused.current}'."


REQUEST_LIFECYCLE = Lifecycle.from_actions(
    "request",
    {
        "withdraw": ((S.AWAITING_APPROVAL, S.PENDING), S.WITHDRAWN),
        "accept": ((S.PENDING,), S.ACCEPTED),
        "decline": ((S.PENDING,), S.DECLINED),
        "approve": ((S.AWAITING_APPROVAL,), S.PENDING),
        "reject": ((S.AWAITING_APPROVAL,), S.DECLINED),
    },
    labels=RequestStatus.choices,
    refusal=_refusal,
)
