"""The one rule every aggregate shown to a manager goes through (docs/decisions/0004).

A manager who reads an average or a count, waits for one person to act and reads it again
learns that person's value from the difference. So an aggregate is never computed over "the
rows there are now". It is computed over **closed cohorts**:

- each contribution (one person's value) belongs to the calendar period it arrived in
  (`period_of`: the month, in the site's time zone);
- only periods that have ended count; the current one is never shown;
- closed periods are folded, oldest first and whole, into a cohort until it holds at least
  `min_group` distinct people; then the cohort is published and the next one starts. What is
  left over (fewer than `min_group` people) waits for later periods.

Arrivals land only in the current period, so the closed history only ever grows by whole
periods at its end and the greedy cut of the earlier cohorts never moves: two reads differ by
nothing or by whole new cohorts of at least `min_group` people, and fewer than `min_group`
people are never shown. Means are rounded (`rounded_mean`) on top of that.

Activity times shown to managers are coarsened the same way (`coarse_week`): the week, never
the moment, and never used to order a list more finely than that.

Domain-free: the caller turns its rows into `Contribution`s and chooses `min_group` with
`min_group_size` (default `MIN_GROUP`, never below `MIN_GROUP_FLOOR`).
"""

import datetime
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

from django.conf import settings
from django.utils import timezone

# The smallest group of people an aggregate is shown for, unless configured otherwise.
MIN_GROUP = 5
# No configuration may go below this: with two people, each knows the other's value.
MIN_GROUP_FLOOR = 3

V = TypeVar("V")


def min_group_size(configured: int | None = None) -> int:
    """The minimum group to apply: `configured` (an organisation's or programme's own), else
    the setting AGGREGATE_MIN_GROUP, else MIN_GROUP; never below MIN_GROUP_FLOOR."""
    if configured is None:
        configured = getattr(settings, "AGGREGATE_MIN_GROUP", MIN_GROUP)
    return max(int(configured), MIN_GROUP_FLOOR)


def period_of(moment: datetime.datetime) -> datetime.date:
    """The publication period a contribution made at `moment` belongs to: the first day of
    its calendar month in the site's time zone."""
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return day.replace(day=1)


def current_period(now: datetime.datetime | None = None) -> datetime.date:
    """The period still open now; it and later ones are never published."""
    return period_of(now or timezone.now())


def period_end(period: datetime.date) -> datetime.date:
    """The last day of `period` (a month's first day)."""
    following = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def week_of(moment: datetime.datetime) -> datetime.date:
    """The Monday of the week `moment` falls in (site time zone)."""
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


def coarse_week(moment: datetime.datetime | None) -> datetime.date | None:
    """How an activity time is shown to a manager: the week (its Monday), None for none.
    A timestamp to the millisecond says who just acted; a week does not."""
    return None if moment is None else week_of(moment)


@dataclass(frozen=True)
class Contribution(Generic[V]):
    """One person's value for one aggregate, and the period it arrived in."""

    member: Hashable  # who: a user id (or a pair's id when pairs are counted)
    period: datetime.date
    value: V


@dataclass(frozen=True)
class Cohort(Generic[V]):
    """Whole closed periods whose contributions are published together."""

    first_period: datetime.date
    last_period: datetime.date
    members: frozenset[Hashable]
    values: tuple[V, ...]


@dataclass(frozen=True)
class Publication(Generic[V]):
    """What may be shown: the closed cohorts, each of at least `min_group` people."""

    cohorts: tuple[Cohort[V], ...]
    min_group: int

    @property
    def values(self) -> list[V]:
        return [value for cohort in self.cohorts for value in cohort.values]

    @property
    def people(self) -> int:
        """How many distinct people the published values come from (0 or ≥ min_group)."""
        members: set[Hashable] = set()
        for cohort in self.cohorts:
            members |= cohort.members
        return len(members)

    @property
    def published_through(self) -> datetime.date | None:
        """The last day the published values cover (None while nothing is published)."""
        return period_end(self.cohorts[-1].last_period) if self.cohorts else None


def publish(
    contributions: Iterable[Contribution[V]],
    *,
    min_group: int,
    now: datetime.datetime | None = None,
) -> Publication[V]:
    """The closed cohorts of `contributions` (see the module's docstring). Contributions in
    the current period or later are left out; so are the last closed periods while they hold
    fewer than `min_group` distinct people."""
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"min_group must be at least {MIN_GROUP_FLOOR} (got {min_group}).")
    open_from = current_period(now)
    by_period: dict[datetime.date, list[Contribution[V]]] = {}
    for contribution in contributions:
        if contribution.period < open_from:
            by_period.setdefault(contribution.period, []).append(contribution)
    cohorts: list[Cohort[V]] = []
    pending: list[Contribution[V]] = []
    first: datetime.date | None = None
    for period in sorted(by_period):
        if first is None:
            first = period
        pending.extend(by_period[period])
        members = frozenset(contribution.member for contribution in pending)
        if len(members) >= min_group:
            cohorts.append(
                Cohort(
                    first_period=first,
                    last_period=period,
                    members=members,
                    values=tuple(contribution.value for contribution in pending),
                )
            )
            pending, first = [], None
    return Publication(cohorts=tuple(cohorts), min_group=min_group)


def rounded_mean(values: Sequence[float], *, places: int = 1) -> float | None:
    """The mean rounded half up to `places` decimals (None for no values)."""
    if not values:
        return None
    mean = Decimal(sum(values)) / Decimal(len(values))
    return float(mean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
