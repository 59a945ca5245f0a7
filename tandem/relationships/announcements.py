"""The identity, in the notifications outbox, of the message that tells someone they have been
matched.

Two places announce a new relationship: the matching services (at once, when a run is published
or a request accepted, with the reasons for the match) and the nudge rule `match_announced`
(for every other new pair, e.g. one a manager proposed by hand). Both write the message under
the keys below, so the outbox's unique key lets the first one through and the other finds it
known: nobody is told twice.

Keys follow the outbox's "<rule>:<subject>:<recipient_id>:<period>":
- a pair, to each of its two people: `match_announced:<relationship id>:<user id>:<day opened>`;
- a group circle, to its mentor (one message listing the circle, instead of one per mentee):
  `match_announced:circle-<circle id>:<user id>:<day opened>`. The mentor's key of each pair
  in the circle is then recorded as covered (an outbox row with status skipped), so the rule
  does not announce the circle's pairs to the mentor one by one. Each mentee of a circle gets
  the key of their own pair.
"""

import datetime

MATCH_ANNOUNCED = "match_announced"


def match_announced_period(opened_at: datetime.datetime) -> str:
    """The period of an announcement: the day (UTC) the relationship was opened."""
    return opened_at.astimezone(datetime.UTC).date().isoformat()


def match_announced_key(
    *, relationship_id: int, recipient_id: int, opened_at: datetime.datetime
) -> str:
    """The key of the announcement of relationship `relationship_id` (opened at `opened_at`,
    its `created_at`) to one of its two people."""
    period = match_announced_period(opened_at)
    return f"{MATCH_ANNOUNCED}:{relationship_id}:{recipient_id}:{period}"


def circle_announced_key(*, circle_id: int, recipient_id: int, opened_at: datetime.datetime) -> str:
    """The key of the announcement of a group circle to its mentor."""
    period = match_announced_period(opened_at)
    return f"{MATCH_ANNOUNCED}:circle-{circle_id}:{recipient_id}:{period}"
