"""One shape for every status table: the moves a thing may make, and one place that applies them.

A `Lifecycle` is declarative: a tuple of `Move(source, verb, target)` rows, in the order a
person would read them (buttons are listed in it). Every domain lifecycle (relationships,
programmes, participants, meetings, goals, match runs, match requests) is one of these, so
"may this happen now?", "what can happen now?" and the refusal a person reads come from the
same rows. The core knows no domain: statuses and verbs are plain strings, and labels are the
table's own (`TextChoices.choices` fits).

A verb may lead from one source to several targets (an enrolment becomes active or pending,
as the programme decides); the caller then names the target it wants. A refused move is a
`Conflict` (409) that names the current status and what is possible from it, in the table's
words when it gives a `refusal`.
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tandem.core.errors import Conflict, FieldError


@dataclass(frozen=True)
class Move:
    """One allowed step: from `source`, doing `verb`, the status becomes `target`."""

    source: str
    verb: str
    target: str


@dataclass(frozen=True)
class Refused:
    """What a refusal's words may use: the status, what was asked, and what is possible now."""

    lifecycle: "Lifecycle"
    status: str
    verb: str  # "" when the caller asked for a target, not a verb
    target: str | None  # None when the caller asked for a verb alone
    possible: Sequence[Move]
    subject: str  # how the caller names the thing ("This programme", "'Leadership cohort'")
    context: Mapping[str, str] = dataclasses.field(default_factory=dict)  # caller's own words

    @property
    def current(self) -> str:
        return self.lifecycle.label(self.status)

    @property
    def possible_verbs(self) -> list[str]:
        return list(dict.fromkeys(move.verb for move in self.possible))


# Words a refusal: the Conflict's detail for what was refused.
Refusal = Callable[[Refused], str]


class Lifecycle:
    """A status table: every allowed (from, to) move and the verb that makes it."""

    def __init__(
        self,
        name: str,
        moves: Iterable[Move | tuple[str, str, str]],
        *,
        labels: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        refusal: Refusal | None = None,
        field: str | None = None,
    ) -> None:
        """`name` is what a person calls the thing ("programme"); `labels` turn statuses into
        words; `refusal` words a refused move (default: the current status and what is possible
        now); with `field`, the Conflict also carries a FieldError on it naming the status."""
        rows = tuple(row if isinstance(row, Move) else Move(*row) for row in moves)
        if len(set(rows)) != len(rows):
            raise ValueError(f"The {name} lifecycle lists a move twice.")
        self.name = name
        self.moves = rows
        self.labels = dict(labels)
        self._refusal = refusal
        self.field = field

    @classmethod
    def from_actions(
        cls,
        name: str,
        actions: Mapping[str, tuple[Iterable[str], str]],
        **options: object,
    ) -> "Lifecycle":
        """Build a table written as verb -> (statuses it may start from, status it leads to)."""
        moves = [
            Move(source, verb, target)
            for verb, (sources, target) in actions.items()
            for source in sources
        ]
        return cls(name, moves, **options)  # type: ignore[arg-type]

    # --- questions ---------------------------------------------------------------------

    def label(self, status: str) -> str:
        """The status in words, lower case ("awaiting approval"); the raw value if unlabelled."""
        return str(self.labels.get(status, status)).lower()

    def moves_from(self, status: str) -> list[Move]:
        """Every move possible from `status`, in the table's order."""
        return [move for move in self.moves if move.source == status]

    def verbs_from(self, status: str) -> list[str]:
        """The verbs possible from `status`, each once, in the table's order."""
        return list(dict.fromkeys(move.verb for move in self.moves_from(status)))

    def targets_from(self, status: str) -> list[str]:
        """The statuses reachable in one move from `status`, each once, in the table's order."""
        return list(dict.fromkeys(move.target for move in self.moves_from(status)))

    def sources_of(self, verb: str, target: str | None = None) -> list[str]:
        """The statuses `verb` may start from (to reach `target`, when given), in table order."""
        return list(
            dict.fromkeys(
                move.source
                for move in self.moves
                if move.verb == verb and (target is None or move.target == target)
            )
        )

    def verb_for(self, status: str, target: str) -> str | None:
        """The verb that moves `status` to `target`, or None when the table has no such move."""
        return next((move.verb for move in self.moves_from(status) if move.target == target), None)

    def find(self, status: str, verb: str, target: str | None = None) -> Move | None:
        """The move `verb` makes from `status` (to `target`, when given), or None."""
        found = [
            move
            for move in self.moves_from(status)
            if move.verb == verb and (target is None or move.target == target)
        ]
        if len(found) > 1:
            # The table lets the verb lead to several places: the caller must say which.
            raise ValueError(
                f"'{verb}' from '{status}' leads to {[m.target for m in found]}; name the target."
            )
        return found[0] if found else None

    def allowed(self, status: str, verb: str, target: str | None = None) -> bool:
        """Whether `verb` (to `target`, when given) may happen from `status`."""
        return any(
            move.verb == verb and (target is None or move.target == target)
            for move in self.moves_from(status)
        )

    # --- the one place a move is applied -------------------------------------------------

    def apply(
        self,
        status: str,
        verb: str,
        target: str | None = None,
        *,
        subject: str = "",
        context: Mapping[str, str] | None = None,
    ) -> Move:
        """The move to make, or a Conflict naming the current status and what is possible.

        `subject` is how the refusal names the thing (default "This <name>"); `context` carries
        any other words the table's refusal uses."""
        move = self.find(status, verb, target)
        if move is None:
            raise self.refuse(status, verb=verb, target=target, subject=subject, context=context)
        return move

    def apply_to(self, status: str, target: str, *, subject: str = "") -> Move:
        """The move from `status` to `target` whatever its verb (a table keyed by (from, to))."""
        verb = self.verb_for(status, target)
        if verb is None:
            raise self.refuse(status, target=target, subject=subject)
        return Move(status, verb, target)

    def refuse(
        self,
        status: str,
        *,
        verb: str = "",
        target: str | None = None,
        subject: str = "",
        context: Mapping[str, str] | None = None,
    ) -> Conflict:
        """The Conflict for a refused move from `status` (returned for the caller to raise)."""
        refused = Refused(
            lifecycle=self,
            status=status,
            verb=verb,
            target=target,
            possible=self.moves_from(status),
            subject=subject or f"This {self.name}",
            context=context or {},
        )
        detail = (self._refusal or default_refusal)(refused)
        errors = []
        if self.field is not None:
            errors.append(FieldError(self.field, f"The {self.name} is '{self.label(status)}'."))
        return Conflict(detail, errors)


def default_refusal(refused: Refused) -> str:
    """ "This <name> is <status>, so '<verb>' is not possible; possible now: <verbs>."."""
    if refused.verb:
        asked = f"'{refused.verb}'"
    elif refused.target is not None:
        asked = f"becoming {refused.lifecycle.label(refused.target)}"
    else:
        asked = "that"
    return (
        f"{refused.subject} is {refused.current}, so {asked} is not possible; "
        f"possible now: {', '.join(refused.possible_verbs) or 'nothing'}."
    )
