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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max

from tandem.accounts.models import User
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.aggregates import current_period, min_group_size
from tandem.outcomes import analysis
from tandem.outcomes.models import EmploymentRecord, OutcomesSettings, Promotion
from tandem.outcomes.permissions import outcome_programs_access, require_org_admin
from tandem.programs.models import Program
from tandem.relationships.selectors import activation_stamp, match_dates

DAYS_PER_MONTH = 365.25 / 12
ROLES = ("any", "mentee", "mentor")
BASES = ("matched", "raw")
MATCH_ON = ("department", "grade", "tenure_band", "location")
HORIZONS = (6, 12, 24)
REPORT_CACHE_SECONDS = 24 * 3600
TENURE_BANDS = ((1, "under 1 year"), (2, "1-2 years"), (5, "2-5 years"))
TENURE_LAST_BAND = "5 years or more"


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


def as_of_date(now: datetime.datetime | None = None) -> datetime.date:
    """The last day of the last calendar month that has ended (site time zone)."""
    return current_period(now) - datetime.timedelta(days=1)


def tenure_band(years: float) -> str:
    for limit, label in TENURE_BANDS:
        if years < limit:
            return label
    return TENURE_LAST_BAND


def _records_frame(organization_id: int) -> pd.DataFrame:
    rows = (
        EmploymentRecord.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list("user_id", "hired_on", "terminated_on", "department", "grade", "location")
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=["user_id", "hired_on", "terminated_on", "department", "grade", "location"],
    )
    for column in ("hired_on", "terminated_on"):
        frame[column] = pd.to_datetime(frame[column])
    # A few distinct values each: categories make the matching's grouping integer work.
    for column in ("department", "grade", "location"):
        frame[column] = frame[column].astype("category")
    return frame


def _match_dates(
    organization_id: int, program_ids: list[int], role: str
) -> tuple[pd.Series, np.ndarray]:
    """Each person's first match date in the chosen programmes (in the role asked for), and
    the ids of everyone ever matched in the organisation (in any role)."""
    pairs = pd.DataFrame.from_records(
        match_dates(organization_id=organization_id),
        columns=["mentee", "mentor", "program_id", "started_on"],
    )
    ever = np.union1d(pairs["mentee"].to_numpy(), pairs["mentor"].to_numpy())
    chosen = pairs[pairs["program_id"].isin(program_ids)]
    sides = ["mentee", "mentor"] if role == "any" else [role]
    people = pd.concat(
        [chosen[[side, "started_on"]].set_axis(["user_id", "started_on"], axis=1) for side in sides]
    )
    first = pd.to_datetime(people["started_on"]).groupby(people["user_id"].to_numpy()).min()
    return first, ever


def _first_promotions_after(
    organization_id: int, index: pd.Series, as_of: datetime.date
) -> pd.Series:
    """Per user id: the first promotion after their index date and no later than `as_of`."""
    rows = (
        Promotion.objects.filter(record__organization_id=organization_id, promoted_on__lte=as_of)
        .order_by()
        .values_list("record__user_id", "promoted_on")
    )
    promotions = pd.DataFrame.from_records(list(rows), columns=["user_id", "promoted_on"])
    if promotions.empty:
        return pd.Series(dtype="datetime64[ns]")
    promotions["promoted_on"] = pd.to_datetime(promotions["promoted_on"])
    starts = index.reindex(promotions["user_id"].to_numpy()).to_numpy()
    promotions = promotions[promotions["promoted_on"].to_numpy() > starts]
    return promotions.groupby("user_id")["promoted_on"].min()


def analysis_frame(
    *,
    organization_id: int,
    program_ids: list[int],
    role: str,
    as_of: datetime.date,
) -> tuple[pd.DataFrame, datetime.date | None, int]:
    """One row per person in either group (see the module's docstring), with the analysis's
    columns and the matching covariates; the others' index date; how many people have HR
    records at all. A fixed number of queries, vectorised over people."""
    records = _records_frame(organization_id)
    people = len(records)
    first, ever = _match_dates(organization_id, program_ids, role)
    as_of_time = pd.Timestamp(as_of)
    user_ids = records["user_id"].to_numpy()
    match = pd.Series(first.reindex(user_ids).to_numpy(), index=records.index)
    match = pd.to_datetime(match)
    is_mentored = match.notna() & (match < as_of_time)
    is_other = ~np.isin(user_ids, ever)
    others_index = None
    if is_mentored.any():
        others_index = match[is_mentored].sort_values().iloc[(int(is_mentored.sum()) - 1) // 2]
    index = match.where(is_mentored, others_index if others_index is not None else pd.NaT)
    index = pd.to_datetime(index)
    employed = (records["hired_on"] <= index) & (
        records["terminated_on"].isna() | (records["terminated_on"] > index)
    )
    keep = (is_mentored | is_other) & employed & index.notna() & (index < as_of_time)
    frame = records[keep.to_numpy()].copy()
    frame["index_on"] = index[keep]
    frame[analysis.MENTORED] = is_mentored[keep].to_numpy()
    left = frame["terminated_on"].notna() & (frame["terminated_on"] <= as_of_time)
    end = frame["terminated_on"].where(left, as_of_time)
    frame[analysis.LEFT] = left.to_numpy()
    frame[analysis.DURATION] = (end - frame["index_on"]).dt.days / DAYS_PER_MONTH
    frame[analysis.FOLLOW_UP] = (as_of_time - frame["index_on"]).dt.days / DAYS_PER_MONTH
    tenure_years = (frame["index_on"] - frame["hired_on"]).dt.days / 365.25
    frame["tenure_band"] = pd.cut(
        tenure_years,
        bins=[-np.inf, *(limit for limit, _ in TENURE_BANDS), np.inf],
        labels=[*(label for _, label in TENURE_BANDS), TENURE_LAST_BAND],
        right=False,
    )
    starts = pd.Series(frame["index_on"].to_numpy(), index=frame["user_id"].to_numpy())
    first_promotion = _first_promotions_after(organization_id, starts, as_of)
    promoted_on = first_promotion.reindex(frame["user_id"].to_numpy()).to_numpy()
    frame[analysis.PROMOTED_AFTER] = (
        pd.to_datetime(pd.Series(promoted_on, index=frame.index)) - frame["index_on"]
    ).dt.days / DAYS_PER_MONTH
    # A stable pseudo-random order for the matching (Knuth's multiplicative hash of the id).
    frame[analysis.KEY] = (frame["user_id"].to_numpy(dtype=np.uint64) * 2654435761) % 2**32
    frame = frame.reset_index(drop=True)
    others_date = others_index.date() if others_index is not None else None
    return frame, others_date, people


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

    Computing it reads every HR record of the organisation, so the report is cached under
    everything it depends on: the programmes, the query, the as-of date, the minimum group
    and `_data_stamp` (an import, an activated relationship or a new month computes it
    afresh). The guard runs first, every time."""
    programs = outcome_programs_access(actor=actor, program_ids=query.program_ids)
    # outcome_programs_access refused anyone without an organisation.
    organization_id = actor.organization_id or 0
    as_of = as_of_date()
    min_group = aggregate_min_group(actor.organization) if actor.organization else min_group_size()
    parts = (
        organization_id,
        tuple((program.pk, program.name) for program in programs),
        # The ROI's assumptions are applied to the cached analysis, not part of it.
        dataclasses.replace(query, replacement_cost=0.0, programme_cost=0.0, basis=""),
        as_of,
        min_group,
        _data_stamp(organization_id),
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
        )
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return _with_roi(report, query)


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
) -> OutcomesReport:
    rule = analysis.DEFAULT_RULE
    notes: list[str] = []
    frame, others_index, people = analysis_frame(
        organization_id=organization_id,
        program_ids=[program.pk for program in programs],
        role=query.role,
        as_of=as_of,
    )
    raw = matched = None
    matching = None
    promotion_raw = promotion_matched = None
    if people == 0:
        notes.append("No HR outcome data has been imported yet.")
    elif not programs:
        notes.append("There is no programme to analyse.")
    elif not frame[analysis.MENTORED].any():
        notes.append("No one in these programmes had an active relationship before the as-of date.")
    horizons = tuple(sorted({*HORIZONS, query.roi_horizon}))
    if people and programs and frame[analysis.MENTORED].any():
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
