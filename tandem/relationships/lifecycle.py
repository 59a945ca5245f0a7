"""The relationship lifecycle as one table: which action moves which status where.

proposed → active → (paused ↔ active) → completed, or ended early from any open state.
`services.relationship_transition` is the only code that applies it; anything not in the
table is a Conflict (409) that names the current status and what is possible from it.
"""

from dataclasses import dataclass

from tandem.relationships.models import RelationshipStatus

S = RelationshipStatus


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    done: str  # for the timeline: "<name> started the relationship"
    sources: frozenset[str]
    target: str
    # Completing or ending frees the mentor's place (and the mentee's, when they ask for a
    # new match); the DB counter on Participant stays equal to the open relationships.
    closes: bool = False
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "start",
            "Start the relationship",
            "started the relationship",
            frozenset({S.PROPOSED}),
            S.ACTIVE,
        ),
        Transition("pause", "Pause", "paused the relationship", frozenset({S.ACTIVE}), S.PAUSED),
        Transition("resume", "Resume", "resumed the relationship", frozenset({S.PAUSED}), S.ACTIVE),
        Transition(
            "complete",
            "Mark as completed",
            "marked the relationship completed",
            frozenset({S.ACTIVE, S.PAUSED}),
            S.COMPLETED,
            closes=True,
        ),
        Transition(
            "end",
            "End early",
            "ended the relationship early",
            frozenset({S.PROPOSED, S.ACTIVE, S.PAUSED}),
            S.ENDED,
            closes=True,
            needs_reason=True,
        ),
    )
}


def actions_from(status: str) -> list[Transition]:
    """The transitions allowed from `status`, in the table's order (for buttons)."""
    return [t for t in TRANSITIONS.values() if status in t.sources]
