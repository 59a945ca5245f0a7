"""Every read about outcomes: the HR data and the relationships turned into the analysis's
frame, and the report (retention, promotion, matched comparison, ROI) for the programmes the
caller may see. Only aggregates leave this module.

How the groups are built (the page says it too):

- **As of** the last day of the last calendar month that has ended (`core.aggregates`):
  later terminations, promotions and matches are not seen yet, so the report only changes
  when a month closes or HR data about past months is imported.
- **Mentored**: people with a relationship that became active in the chosen programmes
  (as mentee, mentor or either), followed from their first match date there.
- **Not mentored**: people who never had an active relationship in any programme of the
  organisation, followed from one common index date: the median match date of the mentored.
- Everyone must be employed on their index date (hired on or before it, not terminated by
  it). Time is counted in months (365.25 / 12 days); leaving is the termination date.
- **Matched comparison**: each mentored person is paired with one not-mentored person of the
  same department, grade, tenure band at the index date and location (`analysis.exact_match`).
"""

import dataclasses
import datetime
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max

from tandem.accounts.models import User
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.aggregates import current_period, min_group_size
from tandem.core.columns import EpochDays, fetch_columns
from tandem.outcomes import analysis
from tandem.outcomes.models import (
    EmploymentRecord,
    OutcomesSettings,
    OutcomesSummaryState,
    PersonOutcomeSummary,
    ProgramMatchSummary,
    Promotion,
)
from tandem.outcomes.permissions import outcome_programs_access, require_org_admin
from tandem.programs.models import Program
from tandem.relationships.selectors import activation_stamp, match_day_columns

DAYS_PER_MONTH = 365.25 / 12
ROLES = ("any", "mentee", "mentor")
BASES = ("matched", "raw")
MATCH_ON = ("department", "grade", "tenure_band", "location")
HORIZONS = (6, 12, 24)
REPORT_CACHE_SECONDS = 24 * 3600
TENURE_BANDS = ((1, "under 1 year"), (2, "1-2 years"), (5, "2-5 years"))
TENURE_LAST_BAND = "5 years or more"
EPOCH = datetime.date(1970, 1, 1)
DIFFERENCING_NOTE = (
    "Not shown: compared with the report for another choice of programmes or role, this one "
    "would reveal a group of fewer than {min_group} people. Reports cover every programme or "
    "one programme."
)


@dataclass(frozen=True)
class OutcomesQuery:
    """What the caller asks: which programmes (none: every one they may see), whose
    relationships count, the promotion window and the ROI assumptions."""

    program_ids: tuple[int, ...] = ()
    role: str = "any"
    promotion_within: int = 24
    roi_horizon: int = 12
    replacement_cost: float = 30_000.0
    programme_cost: float = 0.0
    basis: str = "matched"


@dataclass(frozen=True)
class OutcomesReport:
    query: OutcomesQuery
    programs: tuple[tuple[int, str], ...]
    as_of: datetime.date
    min_group: int
    rule: analysis.SampleRule
    people_with_records: int
    others_index_date: datetime.date | None
    raw: analysis.RetentionComparison | None
    matched: analysis.RetentionComparison | None
    matching: analysis.Matching | None
    promotion_raw: analysis.PromotionComparison | None
    promotion_matched: analysis.PromotionComparison | None
    roi: analysis.Roi | None
    roi_basis: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    # When the summaries it was computed from were refreshed (None: from the raw tables,
    # before the organisation's first refresh).
    refreshed_at: datetime.datetime | None = None


def people_by_employee_id(
    *, organization_id: int, employee_ids: Iterable[str]
) -> dict[str, tuple[int, str]]:
    """Employee ID -> (user id, current email) of the organisation's people whose HR record
    carries one of `employee_ids` (the HR sync's upsert key)."""
    return {
        employee_id: (user_id, email)
        for employee_id, user_id, email in EmploymentRecord.objects.filter(
            organization_id=organization_id, employee_id__in=list(employee_ids)
        ).values_list("employee_id", "user_id", "user__email")
    }


def as_of_date(now: datetime.datetime | None = None) -> datetime.date:
    """The last day of the last calendar month that has ended (site time zone)."""
    return current_period(now) - datetime.timedelta(days=1)


def tenure_band(years: float) -> str:
    for limit, label in TENURE_BANDS:
        if years < limit:
            return label
    return TENURE_LAST_BAND


@dataclass(frozen=True)
class _Records:
    """Every HR record of the organisation as columns (dates as days since 1970-01-01;
    a blank termination is NaN)."""

    record_id: np.ndarray
    user_id: np.ndarray
    hired: np.ndarray
    terminated: np.ndarray
    covariates: dict[str, pd.Categorical]

    def __len__(self) -> int:
        return len(self.user_id)

    @cached_property
    def by_user(self) -> tuple[np.ndarray, np.ndarray]:
        """The user ids sorted, and the record each one is (for look-ups by user)."""
        order = np.argsort(self.user_id, kind="stable")
        return self.user_id[order], order

    def rows_of(self, user_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For `user_ids`: which have a record, and those records' positions."""
        users, order = self.by_user
        if not len(users):
            return np.zeros(len(user_ids), dtype=bool), np.zeros(0, dtype=np.int64)
        at = np.clip(np.searchsorted(users, user_ids), 0, len(users) - 1)
        found = users[at] == user_ids
        return found, order[at[found]]


COVARIATES = ("department", "grade", "location")


def _records_of(columns: list[tuple[Any, ...]]) -> tuple[_Records, np.ndarray]:
    """Records from the columns (record id, user id, hired day, terminated day, then the
    covariates), put in record-id order whatever order the database sent them in (so the
    raw tables and the summary give the same frame, row for row); and that order."""
    record_id = np.array(columns[0], dtype=np.int64)
    order = np.argsort(record_id, kind="stable")
    return (
        _Records(
            record_id=record_id[order],
            user_id=np.array(columns[1], dtype=np.int64)[order],
            hired=np.array(columns[2], dtype=np.int64)[order],
            # None becomes NaN: blank while employed.
            terminated=np.array(columns[3], dtype=float)[order],
            # A few distinct values each: categories make the matching's grouping integer work.
            covariates={
                name: pd.Categorical(np.array(column, dtype=object)[order])
                for name, column in zip(COVARIATES, columns[4:7], strict=True)
            },
        ),
        order,
    )


def _records(organization_id: int) -> _Records:
    columns = fetch_columns(
        EmploymentRecord.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list(
            "pk",
            "user_id",
            EpochDays("hired_on"),
            EpochDays("terminated_on"),
            *COVARIATES,
        ),
        7,
    )
    return _records_of(columns)[0]


@dataclass(frozen=True)
class _Matches:
    """Every activated relationship of the organisation as columns: each side's user id,
    the programme and the match day (days since 1970-01-01)."""

    users: dict[str, np.ndarray]
    program: np.ndarray
    day: np.ndarray


def _matches(organization_id: int) -> _Matches:
    relationships, participants = match_day_columns(organization_id=organization_id)
    mentee, mentor, program, day = (np.array(column, dtype=np.int64) for column in relationships)
    participant, user = (np.array(column, dtype=np.int64) for column in participants)
    order = np.argsort(participant)
    participant, user = participant[order], user[order]
    return _Matches(
        users={
            "mentee": user[np.searchsorted(participant, mentee)] if len(mentee) else mentee,
            "mentor": user[np.searchsorted(participant, mentor)] if len(mentor) else mentor,
        },
        program=program,
        day=day,
    )


def _ever_matched(matches: _Matches, records: _Records) -> np.ndarray:
    """Per record: whether its person was ever matched in the organisation (any role)."""
    ever = np.zeros(len(records), dtype=bool)
    for side in matches.users.values():
        ever[records.rows_of(side)[1]] = True
    return ever


def _first_match_rows(
    matches: _Matches, records: _Records, program_ids: Iterable[int], role: str
) -> tuple[np.ndarray, np.ndarray]:
    """The records of the people matched in the chosen programmes (in the role asked for),
    and each one's first match day there. Vectorised over the relationships chosen, not
    over everyone."""
    chosen = np.isin(matches.program, list(program_ids))
    sides = ["mentee", "mentor"] if role == "any" else [role]
    who = np.concatenate([matches.users[side][chosen] for side in sides])
    when = np.concatenate([matches.day[chosen] for _ in sides])
    return _earliest_rows(records, who, when)


def _earliest_rows(
    records: _Records, who: np.ndarray, when: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per person of `who` with a record: that record and their earliest day of `when`."""
    if not len(who):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    # Sort by (person, day), keep each person's first row.
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    leading = np.r_[True, who[1:] != who[:-1]]
    found, rows = records.rows_of(who[leading])
    return rows, when[leading][found].astype(float)


def _first_match_days(
    matches: _Matches, records: _Records, program_ids: Iterable[int], role: str
) -> np.ndarray:
    """Per record: its person's first match day in the chosen programmes (in the role asked
    for), NaN for none."""
    first = np.full(len(records), np.nan)
    rows, days = _first_match_rows(matches, records, program_ids, role)
    first[rows] = days
    return first


@dataclass(frozen=True)
class _Groups:
    """Who is in the analysis (per HR record): the mentored and the others, each employed on
    their index day (the first match day; for the others the mentored's lower median)."""

    mentored: np.ndarray  # bool per record: kept, and mentored
    others: np.ndarray  # bool per record: kept, and never mentored
    index: np.ndarray  # index day per record (NaN outside the groups)
    others_index: float  # NaN when no one was mentored


def _groups(records: _Records, first: np.ndarray, ever: np.ndarray, as_of_day: int) -> _Groups:
    is_mentored = first < as_of_day  # NaN compares False
    others_index = np.nan
    if is_mentored.any():
        mentored_days = np.sort(first[is_mentored])
        others_index = float(mentored_days[(len(mentored_days) - 1) // 2])
    index = np.where(is_mentored, first, others_index)
    hired, terminated = records.hired, records.terminated
    with np.errstate(invalid="ignore"):
        employed = (hired <= index) & (np.isnan(terminated) | (terminated > index))
        keep = employed & (index < as_of_day)
    return _Groups(
        mentored=keep & is_mentored,
        others=keep & ~ever,
        index=np.where(keep & (is_mentored | ~ever), index, np.nan),
        others_index=others_index,
    )


_Group = tuple[np.ndarray, np.ndarray]  # the mentored's record positions, the others' mask


def _group_builder(
    records: _Records, matches: _Matches, as_of_day: int
) -> Callable[[list[int], str], _Group]:
    """A function from a choice of programmes and a role to that report's two groups: the
    mentored as record positions (a few thousand per programme) and the others as a mask
    over the never-matched (employed on one day)."""
    never = np.flatnonzero(~_ever_matched(matches, records))
    never_hired, never_terminated = records.hired[never], records.terminated[never]

    # Each programme's relationships as one slice (a programme of the family is read from
    # its slice, not by scanning every relationship again).
    by_program = np.argsort(matches.program, kind="stable")
    programs_sorted = matches.program[by_program]

    def groups_of(selection: list[int], side: str) -> _Group:
        if len(selection) == 1:
            start, end = np.searchsorted(programs_sorted, [selection[0], selection[0] + 1])
            taken = by_program[start:end]
            sides = ["mentee", "mentor"] if side == "any" else [side]
            rows, days = _earliest_rows(
                records,
                np.concatenate([matches.users[name][taken] for name in sides]),
                np.concatenate([matches.day[taken] for _ in sides]),
            )
        else:
            rows, days = _first_match_rows(matches, records, selection, side)
        before = days < as_of_day
        rows, days = rows[before], days[before]
        terminated = records.terminated[rows]
        with np.errstate(invalid="ignore"):
            employed = (records.hired[rows] <= days) & (np.isnan(terminated) | (terminated > days))
        others = np.zeros(len(never), dtype=bool)
        if len(days):
            index = float(np.sort(days)[(len(days) - 1) // 2])
            with np.errstate(invalid="ignore"):
                others = (never_hired <= index) & (
                    np.isnan(never_terminated) | (never_terminated > index)
                )
        return rows[employed], others

    return groups_of


def _small_difference(mine: _Group, theirs: _Group, size: int, min_group: int) -> bool:
    """Whether two reports' groups, on either side, are both shown (at least `min_group`
    people) and differ by fewer than `min_group` people but not by none."""
    mine_mask = np.zeros(size, dtype=bool)
    mine_mask[mine[0]] = True
    pairs = [
        (len(mine[0]), len(theirs[0]), int(mine_mask[theirs[0]].sum())),
        (int(mine[1].sum()), int(theirs[1].sum()), int((mine[1] & theirs[1]).sum())),
    ]
    for ours, others, both in pairs:
        if ours < min_group or others < min_group:
            continue  # a group under the minimum is never shown
        if 0 < ours - both < min_group or 0 < others - both < min_group:
            return True
    return False


def _differs_by_a_small_group(
    records: _Records,
    matches: _Matches,
    program_ids: list[int],
    role: str,
    as_of_day: int,
    min_group: int,
) -> bool:
    """Whether this report could be subtracted from another one to reveal fewer than
    `min_group` people (docs/decisions/0004, "Differencing across selections").

    The groups depend only on which of the programmes with relationships are chosen, so the
    reports anyone can ask for form a small family: every programme, or one, in each role.
    A combination of some programmes is not in it (two combinations could differ by one
    person's programme), so it is refused. For the others it compares both groups, mentored
    and others, with the same group of every report in the family: where both are shown (at
    least `min_group` people), each must hold the same people or at least `min_group` people
    the other does not. Whether a report passes depends on the data alone, never on the order
    reports were read in, so any two reports shown pass against each other."""
    with_pairs = np.unique(matches.program)
    chosen = np.intersect1d(with_pairs, program_ids)
    if 1 < len(chosen) < len(with_pairs):
        return True
    family = [with_pairs.tolist()] + [[int(program)] for program in with_pairs]
    groups_of = _group_builder(records, matches, as_of_day)
    asked = groups_of(chosen.tolist(), role)
    return any(
        _small_difference(asked, groups_of(selection, side), len(records), min_group)
        for selection in family
        for side in ROLES
    )


def family_withheld(
    records: _Records, matches: _Matches, as_of_day: int, min_group: int
) -> list[list[int | str | None]]:
    """The members of the family of reports (every programme as None, or one programme's id;
    each role) that `_differs_by_a_small_group` withholds, each group built once: what the
    summary refresh stores so a report need not check live."""
    with_pairs = [int(program) for program in np.unique(matches.program)]
    groups_of = _group_builder(records, matches, as_of_day)
    members: list[tuple[int | None, str]] = [
        (program, role) for program in [None, *with_pairs] for role in ROLES
    ]
    groups = {
        (program, role): groups_of(with_pairs if program is None else [program], role)
        for program, role in members
    }
    return [
        [program, role]
        for program, role in members
        if any(
            _small_difference(groups[(program, role)], other, len(records), min_group)
            for other in groups.values()
        )
    ]


def _promotions(organization_id: int, records: _Records) -> tuple[np.ndarray, np.ndarray]:
    """Every promotion of the organisation as (its record's position in `records`, its day)."""
    record_id, day = fetch_columns(
        Promotion.objects.filter(record__organization_id=organization_id)
        .order_by()
        .values_list("record_id", EpochDays("promoted_on")),
        2,
    )
    if not record_id:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    # Records come in the database's order (sorting 300,000 rows there cost more).
    by_id = np.argsort(records.record_id)
    position = by_id[np.searchsorted(records.record_id[by_id], np.array(record_id))]
    return position, np.array(day, dtype=float)


def _first_promotion_days(
    promotions: tuple[np.ndarray, np.ndarray], size: int, start: np.ndarray, as_of_day: int
) -> np.ndarray:
    """Per record: the day of the first promotion after `start` (that record's index day,
    NaN for people outside the groups) and no later than the as-of day; NaN for none."""
    position, days = promotions
    first = np.full(size, np.inf)
    if len(position):
        counted = (days <= as_of_day) & (days > start[position])  # NaN compares False
        np.minimum.at(first, position[counted], days[counted])
    first[np.isinf(first)] = np.nan
    return first


@dataclass(frozen=True)
class _Sources:
    """What a report is computed from, whichever way it was read: the HR records, whether
    each was ever matched, every promotion, each record's first match day in a choice of
    programmes and role, and the differencing guard's verdict on a choice. Read from the raw
    tables (`_raw_sources`) or from the summaries (`_summary_sources`); the two give the same
    report (`tests/test_summary.py`)."""

    records: _Records
    ever: np.ndarray
    promotions: tuple[np.ndarray, np.ndarray]
    first_days: Callable[[list[int], str], np.ndarray]
    differs: Callable[[list[int], str, int, int], bool]


def _raw_sources(organization_id: int) -> _Sources:
    """The sources as the raw tables hold them now: four queries (records, relationships,
    participants, promotions)."""
    records = _records(organization_id)
    matches = _matches(organization_id)
    return _Sources(
        records=records,
        ever=_ever_matched(matches, records),
        promotions=_promotions(organization_id, records),
        first_days=lambda program_ids, role: _first_match_days(matches, records, program_ids, role),
        differs=lambda program_ids, role, as_of_day, min_group: _differs_by_a_small_group(
            records, matches, program_ids, role, as_of_day, min_group
        ),
    )


def _promotions_of_text(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The summary's promotion days (one space-separated text per record, in the records'
    order) as (record position, day), like `_promotions`."""
    counts = np.fromiter(
        (text.count(" ") + 1 if text else 0 for text in texts), dtype=np.int64, count=len(texts)
    )
    joined = " ".join(text for text in texts if text)
    days = np.array(joined.split(), dtype=float) if joined else np.zeros(0)
    return np.repeat(np.arange(len(texts)), counts), days


def _first_days_from(
    records: _Records, users: np.ndarray, days: dict[str, np.ndarray], role: str
) -> np.ndarray:
    """Per record: the earliest of `days` (per role, NaN for none) among the rows of its user."""
    first = np.full(len(records), np.nan)
    sides = ["mentee", "mentor"] if role == "any" else [role]
    when = np.concatenate([days[side] for side in sides])
    who = np.concatenate([users for _ in sides])
    known = ~np.isnan(when)
    rows, earliest = _earliest_rows(records, who[known], when[known])
    first[rows] = earliest
    return first


def _program_matches(
    organization_id: int, program_ids: list[int] | None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The summary's first match days per programme (of `program_ids`, None: all) as the
    columns user, programme and each role's day (NaN for none)."""
    rows = ProgramMatchSummary.objects.filter(organization_id=organization_id)
    if program_ids is not None:
        rows = rows.filter(program_id__in=program_ids)
    user, program, mentee, mentor = fetch_columns(
        rows.order_by().values_list(
            "user_id", "program_id", EpochDays("first_mentee_on"), EpochDays("first_mentor_on")
        ),
        4,
    )
    return (
        np.array(user, dtype=np.int64),
        np.array(program, dtype=np.int64),
        {
            "mentee": np.array(mentee, dtype=float),
            "mentor": np.array(mentor, dtype=float),
        },
    )


def _summary_sources(organization_id: int, state: OutcomesSummaryState) -> _Sources:
    """The sources as the last refresh summarised them: one query of one narrow table for
    a report over every programme (the guard's verdict is the refresh's); a one-programme
    report also reads that programme's first match days. Only when the as-of day or the
    minimum group has moved since the refresh does the guard read every programme's."""
    columns = fetch_columns(
        PersonOutcomeSummary.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list(
            "record_id",
            "user_id",
            EpochDays("hired_on"),
            EpochDays("terminated_on"),
            *COVARIATES,
            EpochDays("first_mentee_on"),
            EpochDays("first_mentor_on"),
            "promotion_days",
        ),
        10,
    )
    records, order = _records_of(columns)
    first_all = {
        "mentee": np.array(columns[7], dtype=float)[order],
        "mentor": np.array(columns[8], dtype=float)[order],
    }
    with_pairs = set(state.programs_with_pairs)

    def first_days(program_ids: list[int], role: str) -> np.ndarray:
        chosen = with_pairs.intersection(program_ids)
        if not chosen:
            return np.full(len(records), np.nan)
        if chosen == with_pairs:
            return _first_days_from(records, records.user_id, first_all, role)
        user, _, days = _program_matches(organization_id, sorted(chosen))
        return _first_days_from(records, user, days, role)

    def differs(program_ids: list[int], role: str, as_of_day: int, min_group: int) -> bool:
        if (state.as_of - EPOCH).days == as_of_day and state.min_group == min_group:
            chosen = sorted(with_pairs.intersection(program_ids))
            if 1 < len(chosen) < len(with_pairs):
                return True
            if not chosen:
                return False  # both groups empty: nothing to subtract
            member = None if len(chosen) == len(with_pairs) else chosen[0]
            return [member, role] in state.withheld
        return _differs_by_a_small_group(
            records, _matches_of_summary(organization_id), program_ids, role, as_of_day, min_group
        )

    texts = columns[9]
    return _Sources(
        records=records,
        ever=~np.isnan(first_all["mentee"]) | ~np.isnan(first_all["mentor"]),
        promotions=_promotions_of_text(tuple(texts[i] for i in order) if len(texts) else ()),
        first_days=first_days,
        differs=differs,
    )


def _matches_of_summary(organization_id: int) -> _Matches:
    """The summary's first match days as `_Matches`: each (programme, person, role) one
    relationship whose other side is nobody (-1, which no record has). Every earliest day
    the guard takes is the same as over the relationships themselves."""
    user, program, days = _program_matches(organization_id, None)
    nobody = np.full(len(user), -1, dtype=np.int64)
    mentee, mentor = ~np.isnan(days["mentee"]), ~np.isnan(days["mentor"])
    return _Matches(
        users={
            "mentee": np.concatenate([user[mentee], nobody[mentor]]),
            "mentor": np.concatenate([nobody[mentee], user[mentor]]),
        },
        program=np.concatenate([program[mentee], program[mentor]]),
        day=np.concatenate([days["mentee"][mentee], days["mentor"][mentor]]).astype(np.int64),
    )


@dataclass(frozen=True)
class SummaryRows:
    """What the summaries should hold for an organisation, worked out from the raw tables
    (`summary_rows`): the person rows by record id, the first-match rows by (programme,
    user), and the state's programmes and verdicts. Dates as days since 1970-01-01."""

    people: dict[int, tuple[Any, ...]]
    program_matches: dict[tuple[int, int], tuple[int | None, int | None]]
    programs_with_pairs: list[int]
    withheld: list[list[int | str | None]]


def _day(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def summary_rows(*, organization_id: int, as_of: datetime.date, min_group: int) -> SummaryRows:
    """The organisation's summary rows as the raw tables say now (for the refresh): four
    queries, then work in numpy; the rows are built in Python once per refresh."""
    records = _records(organization_id)
    matches = _matches(organization_id)
    position, days = _promotions(organization_id, records)
    by_record: list[list[int]] = [[] for _ in range(len(records))]
    for at, day in zip(position.tolist(), days.tolist(), strict=True):
        by_record[at].append(int(day))
    with_pairs = sorted(int(program) for program in np.unique(matches.program))
    first = {
        side: _first_match_days(matches, records, with_pairs, side) for side in ("mentee", "mentor")
    }
    covariates = [records.covariates[name].astype(object) for name in COVARIATES]
    people = {
        int(records.record_id[i]): (
            int(records.user_id[i]),
            int(records.hired[i]),
            _day(records.terminated[i]),
            *(str(column[i]) for column in covariates),
            _day(first["mentee"][i]),
            _day(first["mentor"][i]),
            " ".join(str(day) for day in sorted(by_record[i])),
        )
        for i in range(len(records))
    }
    program_matches: dict[tuple[int, int], list[int | None]] = {}
    for role_at, side in enumerate(("mentee", "mentor")):
        frame = pd.DataFrame(
            {"user": matches.users[side], "program": matches.program, "day": matches.day}
        )
        earliest = frame.groupby(["program", "user"], sort=False)["day"].min()
        for (program, user), day in earliest.items():
            row = program_matches.setdefault((int(program), int(user)), [None, None])
            row[role_at] = int(day)
    return SummaryRows(
        people=people,
        program_matches={key: (row[0], row[1]) for key, row in program_matches.items()},
        programs_with_pairs=with_pairs,
        withheld=family_withheld(records, matches, (as_of - EPOCH).days, min_group),
    )


def summary_rows_stored(
    *, organization_id: int
) -> tuple[dict[int, tuple[Any, ...]], dict[tuple[int, int], tuple[int | None, int | None]]]:
    """The summary rows as stored now, in `SummaryRows`' shape (for the refresh's diff)."""
    people = {
        row[0]: row[1:]
        for row in PersonOutcomeSummary.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list(
            "record_id",
            "user_id",
            EpochDays("hired_on"),
            EpochDays("terminated_on"),
            *COVARIATES,
            EpochDays("first_mentee_on"),
            EpochDays("first_mentor_on"),
            "promotion_days",
        )
    }
    program_matches = {
        (program, user): (mentee, mentor)
        for program, user, mentee, mentor in ProgramMatchSummary.objects.filter(
            organization_id=organization_id
        )
        .order_by()
        .values_list(
            "program_id", "user_id", EpochDays("first_mentee_on"), EpochDays("first_mentor_on")
        )
    }
    return people, program_matches


def summary_state(*, organization_id: int) -> OutcomesSummaryState | None:
    """The organisation's summary state, None before its first refresh."""
    return OutcomesSummaryState.objects.filter(organization_id=organization_id).first()


def _as_datetimes(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (NaN for none) as datetime64[ns] (NaT for none)."""
    result = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(days)
    result[known] = days[known].astype(np.int64).astype("datetime64[D]")
    return result


def analysis_frame(
    *,
    organization_id: int,
    program_ids: list[int],
    role: str,
    as_of: datetime.date,
    sources: _Sources | None = None,
) -> tuple[pd.DataFrame, datetime.date | None, int]:
    """One row per person in either group (see the module's docstring), with the analysis's
    columns and the matching covariates; the others' index date; how many people have HR
    records at all. A fixed number of queries (none when the caller read `sources`
    already); dates travel as day numbers, so nothing is done per person in Python
    (bench/README.md, "Outcomes")."""
    sources = sources if sources is not None else _raw_sources(organization_id)
    records = sources.records
    first = sources.first_days(program_ids, role)
    ever = sources.ever
    as_of_day = (as_of - EPOCH).days
    groups = _groups(records, first, ever, as_of_day)
    keep = groups.mentored | groups.others
    hired, terminated = records.hired, records.terminated
    index_kept = groups.index[keep]
    terminated_kept = terminated[keep]
    left = ~np.isnan(terminated_kept) & (terminated_kept <= as_of_day)
    end = np.where(left, terminated_kept, as_of_day)
    tenure_years = (index_kept - hired[keep]) / 365.25
    promoted = _first_promotion_days(sources.promotions, len(records), groups.index, as_of_day)
    user_ids = records.user_id[keep]
    frame = pd.DataFrame(
        {
            "user_id": user_ids,
            "hired_on": _as_datetimes(hired[keep].astype(float)),
            "terminated_on": _as_datetimes(terminated_kept),
            **{name: values[keep] for name, values in records.covariates.items()},
            "index_on": _as_datetimes(index_kept),
            analysis.MENTORED: groups.mentored[keep],
            analysis.LEFT: left,
            analysis.DURATION: (end - index_kept) / DAYS_PER_MONTH,
            analysis.FOLLOW_UP: (as_of_day - index_kept) / DAYS_PER_MONTH,
            "tenure_band": pd.cut(
                tenure_years,
                bins=[-np.inf, *(limit for limit, _ in TENURE_BANDS), np.inf],
                labels=[*(label for _, label in TENURE_BANDS), TENURE_LAST_BAND],
                right=False,
            ),
            analysis.PROMOTED_AFTER: (promoted[keep] - index_kept) / DAYS_PER_MONTH,
            # A stable pseudo-random order for the matching (Knuth's multiplicative hash).
            analysis.KEY: (user_ids.astype(np.uint64) * 2654435761) % 2**32,
        }
    )
    others_index = groups.others_index
    others_date = (
        None if np.isnan(others_index) else EPOCH + datetime.timedelta(days=int(others_index))
    )
    return frame, others_date, len(records)


def _data_stamp(organization_id: int) -> tuple[object, ...]:
    """What the report is computed from, summarised: it changes whenever an import writes a
    record or its promotions (each such record's `updated_at` moves) or a relationship is
    activated (its `started_on` is set then). Three small aggregate queries."""
    records = EmploymentRecord.objects.filter(organization_id=organization_id).aggregate(
        count=Count("id"), latest=Max("updated_at")
    )
    promotions = Promotion.objects.filter(record__organization_id=organization_id).count()
    matches = activation_stamp(organization_id=organization_id)
    return (records["count"], records["latest"], promotions, *matches)


def outcomes_report(*, actor: User, query: OutcomesQuery) -> OutcomesReport:
    """The outcomes of the chosen programmes as the actor may see them (aggregates only; a
    group of fewer than the organisation's minimum group (`accounts.selectors.
    aggregate_min_group`) is withheld).

    Computed from the organisation's summaries as of their last refresh (`refreshed_at`;
    hourly, and after each import), or from the raw tables before the first one. It is
    cached under everything it depends on: the programmes, the query, the as-of date, the
    minimum group and the summaries' last change (`_data_stamp` of the raw tables before the
    first refresh). The guard runs first, every time."""
    programs = outcome_programs_access(actor=actor, program_ids=query.program_ids)
    # outcome_programs_access refused anyone without an organisation.
    organization_id = actor.organization_id or 0
    as_of = as_of_date()
    min_group = aggregate_min_group(actor.organization) if actor.organization else min_group_size()
    state = summary_state(organization_id=organization_id)
    stamp = ("summary", state.changed_at) if state else ("raw", *_data_stamp(organization_id))
    parts = (
        organization_id,
        tuple((program.pk, program.name) for program in programs),
        # The ROI's assumptions are applied to the cached analysis, not part of it.
        dataclasses.replace(query, replacement_cost=0.0, programme_cost=0.0, basis=""),
        as_of,
        min_group,
        stamp,
    )
    key = "outcomes-report:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    report = cache.get(key)
    if not isinstance(report, OutcomesReport):
        report = _compute_report(
            programs=programs,
            organization_id=organization_id,
            query=query,
            as_of=as_of,
            min_group=min_group,
            sources=(
                _summary_sources(organization_id, state) if state else _raw_sources(organization_id)
            ),
        )
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return dataclasses.replace(
        _with_roi(report, query), refreshed_at=state.refreshed_at if state else None
    )


def _with_roi(report: OutcomesReport, query: OutcomesQuery) -> OutcomesReport:
    """The report with the ROI under the query's assumptions, on the comparison it names."""
    comparison = report.matched if query.basis == "matched" else report.raw
    roi = None
    if comparison is not None and not comparison.mentored.withheld:
        roi = analysis.roi_estimate(
            comparison,
            participants=comparison.mentored.people,
            horizon=query.roi_horizon,
            replacement_cost=query.replacement_cost,
            programme_cost=query.programme_cost,
        )
    return dataclasses.replace(report, query=query, roi=roi, roi_basis=query.basis)


def _compute_report(
    *,
    programs: list[Program],
    organization_id: int,
    query: OutcomesQuery,
    as_of: datetime.date,
    min_group: int,
    sources: _Sources,
) -> OutcomesReport:
    rule = analysis.DEFAULT_RULE
    notes: list[str] = []
    program_ids = [program.pk for program in programs]
    frame, others_index, people = analysis_frame(
        organization_id=organization_id,
        program_ids=program_ids,
        role=query.role,
        as_of=as_of,
        sources=sources,
    )
    as_of_day = (as_of - EPOCH).days
    withheld = bool(people) and sources.differs(program_ids, query.role, as_of_day, min_group)
    raw = matched = None
    matching = None
    promotion_raw = promotion_matched = None
    if people == 0:
        notes.append("No HR outcome data has been imported yet.")
    elif not programs:
        notes.append("There is no programme to analyse.")
    elif withheld:
        notes.append(DIFFERENCING_NOTE.format(min_group=min_group))
    elif not frame[analysis.MENTORED].any():
        notes.append("No one in these programmes had an active relationship before the as-of date.")
    horizons = tuple(sorted({*HORIZONS, query.roi_horizon}))
    if people and programs and not withheld and frame[analysis.MENTORED].any():
        raw = analysis.retention_compare(frame, horizons=horizons, min_group=min_group, rule=rule)
        promotion_raw = analysis.promotion_compare(
            frame, within=query.promotion_within, min_group=min_group, rule=rule
        )
        matched_frame, matching = analysis.exact_match(frame, on=MATCH_ON)
        matched = analysis.retention_compare(
            matched_frame, horizons=horizons, min_group=min_group, rule=rule
        )
        promotion_matched = analysis.promotion_compare(
            matched_frame, within=query.promotion_within, min_group=min_group, rule=rule
        )
    return OutcomesReport(
        query=query,
        programs=tuple((program.pk, program.name) for program in programs),
        as_of=as_of,
        min_group=min_group,
        rule=rule,
        people_with_records=people,
        others_index_date=others_index,
        raw=raw,
        matched=matched,
        matching=matching,
        promotion_raw=promotion_raw,
        promotion_matched=promotion_matched,
        roi=None,
        roi_basis=query.basis,
        notes=tuple(notes),
    )


def outcomes_settings_get(*, actor: User) -> bool:
    """Whether the actor's organisation lets programme managers see outcomes (admins only)."""
    organization = require_org_admin(actor)
    return bool(
        OutcomesSettings.objects.filter(organization=organization)
        .values_list("managers_see_outcomes", flat=True)
        .first()
    )


def outcome_program_choices(*, actor: User) -> list[Program]:
    """The programmes the actor may pick on the outcomes page."""
    return outcome_programs_access(actor=actor, program_ids=())
