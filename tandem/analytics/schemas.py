"""The analytics API's shapes: explicit fields, the same numbers the page and the exports show."""

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.analytics.filters import DEFAULT_WEEKS, MAX_WEEKS, TEXT_MAX
from tandem.core.text import SingleLine


class AnalyticsFiltersIn(Schema):
    role: Literal["mentee", "mentor"] = Field(
        "mentee", description="Whose figures: the mentees' (default) or the mentors'."
    )
    joined_from: datetime.date | None = Field(
        None, description="Cohort: people who joined the programme on or after this day."
    )
    joined_to: datetime.date | None = Field(
        None, description="Cohort: people who joined on or before this day."
    )
    department: SingleLine = Field(
        "", max_length=TEXT_MAX, description="Profile department (exact, any case)."
    )
    location: SingleLine = Field(
        "", max_length=TEXT_MAX, description="Profile location (exact, any case)."
    )
    weeks: int = Field(
        DEFAULT_WEEKS, ge=1, le=MAX_WEEKS, description="Whole weeks of the engagement series."
    )


class FunnelStepOut(Schema):
    key: str
    label: str
    count: int = Field(description="People who reached this step and every step before it.")
    conversion: float | None = Field(description="Percent of the step before; null for none.")
    median_days: float | None = Field(description="Median days from the step before.")


class FunnelOut(Schema):
    role: str
    refreshed_at: datetime.datetime | None = Field(
        description="When the funnel was last worked out (a job refreshes it); null: not yet."
    )
    steps: list[FunnelStepOut]


class ScoreBinOut(Schema):
    low: float
    high: float
    pairs: int


class RequestCountsOut(Schema):
    accepted: int
    declined: int
    expired: int
    withdrawn: int
    open: int


class WaitingBucketOut(Schema):
    label: str
    people: int


class WaitingOut(Schema):
    people: int = Field(description="Approved, in no open pair and not done.")
    median_days: float | None
    buckets: list[WaitingBucketOut]


class MatchingOut(Schema):
    approved: int
    matched: int
    match_rate: float | None = Field(description="Percent of the approved who were matched.")
    median_days_to_match: float | None
    score_distribution: list[ScoreBinOut]
    requests: RequestCountsOut
    waiting: WaitingOut


class EngagementWeekOut(Schema):
    week: datetime.date = Field(description="The week's Monday.")
    meetings_held: int
    mentoring_hours: float
    checkins: int
    messages: int
    actions_done: int
    goals_set: int
    goals_completed: int


class EngagementOut(Schema):
    refreshed_at: datetime.datetime | None = Field(
        description="When the summaries shown were worked out; null: counted live (filters)."
    )
    weeks: list[EngagementWeekOut] = Field(description="Whole weeks only, oldest first.")
    first_week: datetime.date
    last_week: datetime.date
    active_pairs: int
    met_last_30_days: int
    met_last_30_days_share: float | None
    mentoring_hours: float = Field(description="Held meetings' hours in the weeks shown.")


class NpsCohortOut(Schema):
    first_month: datetime.date
    last_month: datetime.date
    people: int
    nps: int | None
    low: float | None
    high: float | None
    answers: int


class NpsOut(Schema):
    people: int
    nps: int | None = Field(description="Promoters % minus detractors %; null while withheld.")
    low: float | None = Field(description="95 % confidence interval (multinomial variance).")
    high: float | None
    answers: int
    cohorts: list[NpsCohortOut]
    withheld: str | None = Field(description="Why nothing is shown yet (null when shown).")


class RatingsOut(Schema):
    people: int
    mean: float | None
    answers: int
    withheld: str | None


class PairingFitAnswerOut(Schema):
    key: str
    label: str
    count: int


class PairingFitOut(Schema):
    people: int
    answers: list[PairingFitAnswerOut]
    withheld: str | None


class SatisfactionOut(Schema):
    min_group: int
    published_through: datetime.date | None
    nps: NpsOut
    ratings: RatingsOut
    pairing_fit: PairingFitOut


class CompetencyGrowthOut(Schema):
    competency_id: int
    competency: str
    people: int
    mean_change: float | None = Field(description="Mean of closing - starting score.")
    low: float | None = Field(description="95 % t-interval of the paired difference.")
    high: float | None
    withheld: str | None


class SkillGrowthOut(Schema):
    min_group: int
    competencies: list[CompetencyGrowthOut]


class HealthOut(Schema):
    available: bool
    reason: str | None = None
    buckets: dict[str, int] | None = Field(
        description="Open relationships per health bucket (on_track, needs_checkin, at_risk, "
        "too_early), as of health's last hourly refresh."
    )
    labels: dict[str, str] | None = Field(default=None, description="Each bucket's name.")


class AnalyticsOut(Schema):
    program_ids: list[int]
    filters: dict[str, str]
    generated_at: datetime.datetime
    funnel: FunnelOut
    matching: MatchingOut
    engagement: EngagementOut
    satisfaction: SatisfactionOut
    skills: SkillGrowthOut
    health: HealthOut
