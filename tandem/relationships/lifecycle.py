"""The relationship lifecycle as one table: which action moves which status where.

proposed → active → (paused ↔ active) → completed, or ended early from any open state.
`services.relationship_transition` is the only code that applies it, through `LIFECYCLE`
(the core's one lifecycle helper); anything not in the table is a Conflict (409) that names
the current status and what is possible from it.
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.relationships.models import Relationship, RelationshipSource, RelationshipStatus

S = RelationshipStatus


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise  # a button's words, in the reader's language
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
            gettext_lazy("Start the relationship"),
            "started the relationship",
            frozenset({S.PROPOSED}),
            S.ACTIVE,
        ),
        Transition(
            "pause",
            gettext_lazy("Pause"),
            "paused the relationship",
            frozenset({S.ACTIVE}),
            S.PAUSED,
        ),
        Transition(
            "resume",
            gettext_lazy("Resume"),
            "resumed the relationship",
            frozenset({S.PAUSED}),
            S.ACTIVE,
        ),
        Transition(
            "complete",
            gettext_lazy("Mark as completed"),
            "marked the relationship completed",
            frozenset({S.ACTIVE, S.PAUSED}),
            S.COMPLETED,
            closes=True,
        ),
        Transition(
            "end",
            gettext_lazy("End early"),
            "ended the relationship early",
            frozenset({S.PROPOSED, S.ACTIVE, S.PAUSED}),
            S.ENDED,
            closes=True,
            needs_reason=True,
        ),
    )
}


def _refusal(refused: Refused) -> str:
    verbs = ", ".join(refused.possible_verbs) or _("nothing")
    return _("%(subject)s is %(current)s, so it cannot be %(target)s; possible now: %(verbs)s.") % {
        "subject": refused.subject,
        "current": refused.current,
        "target": TRANSITIONS[refused.verb].target,
        "verbs": verbs,
    }


# The same rows in the core's shape: the one thing that says what may happen from a status.
LIFECYCLE = Lifecycle.from_actions(
    "relationship",
    {t.action: (t.sources, t.target) for t in TRANSITIONS.values()},
    labels=S.choices,
    refusal=_refusal,
)


def actions_from(status: str) -> list[Transition]:
    """The transitions allowed from `status`, in the table's order (for buttons)."""
    return [TRANSITIONS[verb] for verb in LIFECYCLE.verbs_from(status)]


def actions_offered(
    relationship: Relationship, *, is_party: bool, today: datetime.date
) -> list[Transition]:
    """The buttons a person is shown: what the table allows, less "Mark as completed" for the
    pair before half their planned time (on day 0 it only confuses; ending early is there, and
    a manager can still complete a pair at any time). The service enforces the table alone."""
    actions = actions_from(relationship.status)
    started, planned_end = relationship.started_on, relationship.planned_end_on
    if is_party and started is not None and planned_end is not None:
        halfway = started + (planned_end - started) / 2
        if today < halfway:
            actions = [t for t in actions if t.action != "complete"]
    return actions


@dataclass(frozen=True)
class NextStep:
    """Who must act next on a pair, said to one reader: `text` is what the card or row shows,
    `is_readers_turn` whether the reader is the one (or one of those) who must act."""

    text: str
    is_readers_turn: bool
    actors: tuple[int, ...]  # the user ids who can take the step


def _short(user: User) -> str:
    return user.short_name


def next_actor(relationship: Relationship, reader: User) -> NextStep | None:
    """Who must act next on `relationship`, said to `reader` (a user: one of the pair, or a
    manager), or None when nobody has to (an active or closed pair). The hub, the home page's
    cards and the managers' lists all ask here, so a status never stands without its next step.

    - proposed by a bulk run or a manager: the mentor accepts (starts) or declines (ends);
    - proposed from an accepted request (a programme with a kick-off step): either of the
      pair starts it after the kick-off;
    - paused: either of the pair resumes it.
    """
    mentor, mentee = relationship.mentor.user, relationship.mentee.user
    reader_id = reader.pk
    is_party = reader_id in (mentor.pk, mentee.pk)
    partner = mentee if reader_id == mentor.pk else mentor
    if relationship.status == S.PROPOSED and relationship.source != RelationshipSource.REQUEST:
        if reader_id == mentor.pk:
            return NextStep(_("Your turn: accept or decline"), True, (mentor.pk,))
        return NextStep(
            _("Waiting for %(mentor)s to accept") % {"mentor": _short(mentor)}, False, (mentor.pk,)
        )
    if relationship.status == S.PROPOSED:
        both = (mentor.pk, mentee.pk)
        if is_party:
            return NextStep(
                _("Your turn: start after your kick-off with %(partner)s")
                % {"partner": _short(partner)},
                True,
                both,
            )
        return NextStep(
            _("Waiting for %(mentor)s or %(mentee)s to start after the kick-off")
            % {"mentor": _short(mentor), "mentee": _short(mentee)},
            False,
            both,
        )
    if relationship.status == S.PAUSED:
        both = (mentor.pk, mentee.pk)
        if is_party:
            return NextStep(
                _("Paused: you or %(partner)s can resume when ready")
                % {"partner": _short(partner)},
                True,
                both,
            )
        return NextStep(
            _("Paused: waiting for %(mentor)s or %(mentee)s to resume")
            % {"mentor": _short(mentor), "mentee": _short(mentee)},
            False,
            both,
        )
    return None
