"""How a match is told to the person reading it: the fit label of a score, and the reasons
written to their reader.

The scale. A score is the sum of each criterion's weight times its value (0 to 1), so the
highest a pair can reach in a programme is the sum of its weights (`max_score_of`). A score
reads as a label by its share of that maximum:

    at least 60 %  -> "Strong fit"
    at least 40 %  -> "Good fit"
    below          -> "Possible fit"

Every page and endpoint that shows a suggestion's or a request's score shows `fit_of` beside
it, so a number never stands without its scale.

The reasons. The engine writes its sentences once, about the mentee by first name ("Covers 3
of the 4 skills Isla wants to grow: ...", "Mentor is 2 levels more senior"), and they are
stored so with a request, a run's proposal and a relationship. `reasons_for` rewrites each
sentence for its reader: the mentee reads "you", the mentor reads "you" where the sentence is
about them and the mentee's name where it is about the mentee, a manager reads them as
stored. A sentence it does not know names nobody and is shown unchanged.
"""

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tandem.matching.adapters import EDITABLE_CRITERIA

# (lowest share of the maximum, key, label), best first.
FIT_SCALE: tuple[tuple[float, str, str], ...] = (
    (0.6, "strong", "Strong fit"),
    (0.4, "good", "Good fit"),
    (0.0, "possible", "Possible fit"),
)


@dataclass(frozen=True)
class Fit:
    """A score on the programme's scale: the label people read and the numbers behind it."""

    key: str
    label: str
    score: float
    max_score: float

    @property
    def percent(self) -> int:
        """The score as a whole percentage of the programme's best possible score."""
        if self.max_score <= 0:
            return 0
        return round(100 * min(max(self.score / self.max_score, 0.0), 1.0))

    @property
    def title(self) -> str:
        """The hover text that puts the number on its scale."""
        return f"Match score {self.score:.1f} of {self.max_score:.0f} possible ({self.percent}%)"


def max_score_of(weights: Mapping[str, Any]) -> float:
    """The highest score a pair can reach: every editable criterion at full value."""
    return float(sum(float(weights.get(name, 0)) for name in EDITABLE_CRITERIA))


def fit_of(score: float | None, *, max_score: float) -> Fit | None:
    """The label of `score` on a programme whose best possible score is `max_score` (see the
    scale above); None for a pair without a score. A programme whose weights are all 0 has no
    scale: every scored pair is a possible fit there."""
    if score is None:
        return None
    share = score / max_score if max_score > 0 else 0.0
    for lowest, key, label in FIT_SCALE:
        if share >= lowest:
            return Fit(key=key, label=label, score=float(score), max_score=float(max_score))
    lowest, key, label = FIT_SCALE[-1]
    return Fit(key=key, label=label, score=float(score), max_score=float(max_score))


class Reader(enum.StrEnum):
    """Who reads a pair's reasons."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    MANAGER = "manager"


@dataclass(frozen=True)
class _Names:
    mentee: str
    mentor: str


# The engine's sentences that are about a person (tandem.matching.engine.scoring._sentence),
# each with how to say it to the mentee and to the mentor. `who` is the mentee as the engine
# named them; the other sentences (department, hours, languages, goals) name nobody.
_Rewrite = Callable[[re.Match[str], _Names], str]
_SENTENCES: tuple[tuple[re.Pattern[str], _Rewrite, _Rewrite], ...] = (
    (
        re.compile(r"^Covers the one skill (?P<who>.+?) wants to grow: (?P<skills>.*)$", re.S),
        lambda m, n: f"Covers the one skill you want to grow: {m['skills']}",
        lambda m, n: f"You offer the one skill {n.mentee} wants to grow: {m['skills']}",
    ),
    (
        re.compile(
            r"^Covers (?P<count>\d+) of the (?P<total>\d+) skills (?P<who>.+?) wants to grow: "
            r"(?P<skills>.*)$",
            re.S,
        ),
        lambda m, n: (
            f"Covers {m['count']} of the {m['total']} skills you want to grow: {m['skills']}"
        ),
        lambda m, n: (
            f"You offer {m['count']} of the {m['total']} skills {n.mentee} wants to grow: "
            f"{m['skills']}"
        ),
    ),
    (
        re.compile(r"^Mentor is (?P<levels>\d+ levels?) more senior$"),
        lambda m, n: f"{n.mentor} is {m['levels']} more senior than you",
        lambda m, n: f"You are {m['levels']} more senior than {n.mentee}",
    ),
    (
        re.compile(r"^(?P<who>.+?) asked for this mentor$", re.S),
        lambda m, n: f"You asked for {n.mentor}",
        lambda m, n: f"{n.mentee} asked for you",
    ),
)


def reason_for(reason: str, *, reader: Reader, mentee_name: str, mentor_name: str) -> str:
    """One stored reason said to `reader` (see the module's docstring). The names are the
    ones to use for the other person: their short name."""
    if reader == Reader.MANAGER:
        return reason
    names = _Names(mentee=mentee_name or "your mentee", mentor=mentor_name or "Your mentor")
    for pattern, to_mentee, to_mentor in _SENTENCES:
        found = pattern.match(reason)
        if found is not None:
            rewrite = to_mentee if reader == Reader.MENTEE else to_mentor
            return rewrite(found, names)
    return reason


def reasons_for(
    reasons: Iterable[str], *, reader: Reader, mentee_name: str, mentor_name: str
) -> list[str]:
    """A pair's reasons, most important first, each said to `reader` (`reason_for`)."""
    return [
        reason_for(reason, reader=reader, mentee_name=mentee_name, mentor_name=mentor_name)
        for reason in reasons
    ]
