"""What every nudge rule shares: the `Nudge` a rule yields, a rule's settings across every
programme (`RuleSettings`, folded into one query as an exclusion and a CASE), the `Rule` row of
the table, and the evaluation's `Context` with its directory of open pairs, read once for every
rule. The rule families live beside this module, one module each; the table in `table.py`.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Case, F, Value, When

from tandem.accounts.names import name_from
from tandem.notifications.services import Attachment
from tandem.programs.models import Program, ProgramStatus
from tandem.relationships.models import OPEN_STATUSES, Relationship, RelationshipStatus

# Event-driven rules (welcome, match, check-in, mid-point) look back this far past their due
# time: a scheduler that was down catches up, but turning a rule on never messages about
# events from months ago.
CATCH_UP = datetime.timedelta(days=7)


class Unit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    WEEKDAY = "weekday", "day of the week (1 = Monday … 7 = Sunday)"


# Not frozen: a run builds hundreds of thousands, and a frozen dataclass sets each field
# through object.__setattr__.
@dataclass(slots=True)
class Nudge:
    """One due message to one person. `key` is its identity in the outbox."""

    rule: str
    subject: str
    recipient_id: int
    period: str
    program_id: int
    category: str
    title: str
    text: str
    url: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}:{self.recipient_id}:{self.period}"


class RuleSettings:
    """One rule's settings across every programme: which programmes turned it off, and which
    chose a timing other than the default (grouped by value, to fold into one CASE)."""

    def __init__(self, rule: "Rule", rows: Iterable[tuple[int, bool, int | None]]) -> None:
        self.rule = rule
        self.disabled: set[int] = set()
        self.custom: dict[int, list[int]] = defaultdict(list)
        self._timing: dict[int, int] = {}
        for program_id, is_enabled, timing in rows:
            if not is_enabled:
                self.disabled.add(program_id)
            elif timing is not None and timing != rule.default:
                self.custom[timing].append(program_id)
                self._timing[program_id] = timing

    @property
    def timings(self) -> dict[int, int]:
        """Programme id -> timing, for the programmes that changed it."""
        return dict(self._timing)

    def timing_for(self, program_id: int) -> int:
        return self._timing.get(program_id, self.rule.default)

    def is_enabled_for(self, program_id: int) -> bool:
        return program_id not in self.disabled

    def per_program(
        self,
        value_for: Callable[[int], Any],
        output_field: models.Field,
        program_field: str = "program_id",
    ) -> Case | Value:
        """`value_for(timing)` for each row's programme, as one SQL expression."""
        default = Value(value_for(self.rule.default), output_field=output_field)
        if not self.custom:
            return default
        return Case(
            *[
                When(
                    **{f"{program_field}__in": ids},
                    then=Value(value_for(timing), output_field=output_field),
                )
                for timing, ids in sorted(self.custom.items())
            ],
            default=default,
            output_field=output_field,
        )


@dataclass(slots=True)
class Pair:
    """Who is in one open relationship, read once per evaluation for every rule."""

    program_id: int
    program_name: str
    mentor_name: str
    mentee_name: str
    # (user id, own name, partner's name) of each person whose account is active
    people: list[tuple[int, str, str]]


class Context:
    """One evaluation's moment, and the directory of open pairs the rules share: each rule's
    query then reads only ids and its own columns, not the pair's people and programme again
    (six joins a rule, most of a rule's time at 100,000 pairs)."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.today = now.date()
        self._pairs: dict[int, Pair] | None = None

    @property
    def pairs(self) -> dict[int, Pair]:
        """Every open relationship of a published programme, by id (one query, on first use)."""
        if self._pairs is None:
            self._pairs = {}
            for row in Relationship.objects.filter(
                status__in=OPEN_STATUSES, program__status=ProgramStatus.PUBLISHED
            ).values_list(*PAIR_FIELDS):
                pk, program_id, program_name = row[0], row[1], row[2]
                mentor = name_from(row[4], row[5], row[6])
                mentee = name_from(row[9], row[10], row[11])
                people = []
                if row[7]:
                    people.append((row[3], mentor, mentee))
                if row[12]:
                    people.append((row[8], mentee, mentor))
                self._pairs[pk] = Pair(program_id, program_name, mentor, mentee, people)
        return self._pairs

    def pair(self, relationship_id: int) -> Pair | None:
        """The pair of an open relationship; None for one that opened after the directory was
        read (a later evaluation sees it)."""
        return self.pairs.get(relationship_id)


Evaluator = Callable[[Context, RuleSettings], Iterable[Nudge]]


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    category: str
    default: int
    unit: str
    timing_label: str
    description: str
    recipients: str
    evaluate: Evaluator = field(repr=False, compare=False)
    minimum: int = 0
    maximum: int = 365


# --- helpers -----------------------------------------------------------------------------


def each_person(context: Context, relationship_id: int) -> Iterator[tuple[Pair, int, str]]:
    """(pair, user id, partner's name) for each person of an open relationship whose account is
    active; nothing for one opened after the directory was read (a later evaluation has it)."""
    pair = context.pair(relationship_id)
    if pair is None:
        return
    for user_id, _own, partner in pair.people:
        yield pair, user_id, partner


def period_day(moment: datetime.datetime | None) -> str:
    """The date of `moment` as a period ("" for none: the queries leave those out)."""
    return moment.date().isoformat() if moment is not None else ""


def after(unit: str, amount: int) -> datetime.timedelta:
    per_unit: dict[str, datetime.timedelta] = {
        Unit.HOURS: datetime.timedelta(hours=amount),
        Unit.DAYS: datetime.timedelta(days=amount),
        Unit.WEEKS: datetime.timedelta(weeks=amount),
    }
    return per_unit[unit]


PAIR_FIELDS = (
    "pk",
    "program_id",
    "program__name",
    "mentor__user_id",
    "mentor__user__first_name",
    "mentor__user__last_name",
    "mentor__user__email",
    "mentor__user__is_active",
    "mentee__user_id",
    "mentee__user__first_name",
    "mentee__user__last_name",
    "mentee__user__email",
    "mentee__user__is_active",
)


def active_pairs(settings: RuleSettings) -> models.QuerySet[Relationship]:
    return Relationship.objects.filter(
        status=RelationshipStatus.ACTIVE, program__status=ProgramStatus.PUBLISHED
    ).exclude(program_id__in=settings.disabled)


def managers_by_program(program_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active managers of each programme: one query."""
    through = Program.managers.through
    managers: dict[int, list[int]] = defaultdict(list)
    for program_id, user_id in through.objects.filter(
        program_id__in=list(program_ids), user__is_active=True
    ).values_list("program_id", "user_id"):
        managers[program_id].append(user_id)
    return managers


def datetime_output_field() -> models.DateTimeField:
    return models.DateTimeField()


def date_output_field() -> models.DateField:
    return models.DateField()


def since_activation(
    context: Context, settings: RuleSettings, unit: str
) -> models.QuerySet[Relationship]:
    return (
        active_pairs(settings)
        .filter(activated_at__isnull=False)
        .alias(
            due=settings.per_program(
                lambda amount: context.now - after(unit, amount), datetime_output_field()
            )
        )
        .filter(activated_at__lte=F("due"))
    )
