"""The outcomes API's shapes: the report's query and answer, the import's plan, the setting."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from tandem.core.params import Id
from tandem.core.schemas import InputSchema
from tandem.outcomes.selectors import OutcomesQuery


class OutcomesFilters(Schema):
    """Which programmes and whose relationships, the promotion window, the ROI's assumptions."""

    program: list[Id] = Field(
        default_factory=list,
        description="Programme ids (repeat the parameter); none: every programme you may see.",
    )
    role: Literal["any", "mentee", "mentor"] = Field(
        "any", description="Whose relationships make a person 'mentored'."
    )
    promotion_within: int = Field(24, ge=1, le=120, description="Promotion window, in months.")
    roi_horizon: int = Field(12, ge=1, le=60, description="ROI horizon, in months.")
    replacement_cost: float = Field(
        30_000, ge=0, le=1e9, allow_inf_nan=False, description="Cost of replacing one leaver."
    )
    programme_cost: float = Field(
        0, ge=0, le=1e11, allow_inf_nan=False, description="What the programme cost."
    )
    basis: Literal["matched", "raw"] = Field(
        "matched", description="Which comparison the ROI uses."
    )

    def as_query(self) -> OutcomesQuery:
        return OutcomesQuery(
            program_ids=tuple(self.program),
            role=self.role,
            promotion_within=self.promotion_within,
            roi_horizon=self.roi_horizon,
            replacement_cost=self.replacement_cost,
            programme_cost=self.programme_cost,
            basis=self.basis,
        )


class OutcomesEstimateOut(Schema):
    value: float
    lower: float
    upper: float


class OutcomesVerdictOut(Schema):
    code: Literal["withheld", "too_small", "no_difference_shown", "better", "worse"]
    text: str
    significant: bool


class RetentionCurvePointOut(Schema):
    months: float
    retention: float
    lower: float
    upper: float
    at_risk: int


class RetentionAtOut(Schema):
    months: float
    retention: OutcomesEstimateOut | None


class GroupRetentionOut(Schema):
    label: str
    withheld: bool
    people: int | None
    leavers: int | None
    curve: list[RetentionCurvePointOut]
    retention_at: list[RetentionAtOut]


class HazardRatioOut(Schema):
    ratio: float
    lower: float
    upper: float
    p_value: float


class RetentionOut(Schema):
    mentored: GroupRetentionOut
    others: GroupRetentionOut
    logrank_statistic: float | None
    logrank_p: float | None
    hazard_ratio: HazardRatioOut | None
    verdict: OutcomesVerdictOut


class RetentionPairOut(Schema):
    raw: RetentionOut | None
    matched: RetentionOut | None


class GroupProportionOut(Schema):
    label: str
    withheld: bool
    people: int | None
    promoted: int | None
    rate: float | None


class PromotionOut(Schema):
    within_months: float
    mentored: GroupProportionOut
    others: GroupProportionOut
    difference: OutcomesEstimateOut | None
    p_value: float | None
    verdict: OutcomesVerdictOut


class PromotionPairOut(Schema):
    raw: PromotionOut | None
    matched: PromotionOut | None


class MatchingBalanceOut(Schema):
    covariate: str
    levels: int
    smd_before: float | None
    smd_after: float | None


class OutcomesMatchingOut(Schema):
    on: list[str]
    mentored_total: int
    mentored_matched: int
    others_matched: int
    balance: list[MatchingBalanceOut]


class RoiOut(Schema):
    basis: Literal["matched", "raw"]
    participants: int
    horizon_months: float
    baseline_retention: float
    hazard_ratio: float
    replacement_cost: float
    programme_cost: float
    leavers_avoided: OutcomesEstimateOut
    savings: OutcomesEstimateOut
    net: OutcomesEstimateOut
    return_on_cost: OutcomesEstimateOut | None


class OutcomesProgramOut(Schema):
    id: int
    name: str


class OutcomesReportOut(Schema):
    as_of: date
    refreshed_at: datetime | None = Field(
        description=(
            "When the summaries the report was computed from were last refreshed (an hourly "
            "job, and after each import); null: computed from the HR data as it is now."
        )
    )
    min_group_size: int
    sample_rule: str
    programs: list[OutcomesProgramOut]
    role: str
    people_with_records: int
    others_index_date: date | None
    notes: list[str]
    retention: RetentionPairOut
    matching: OutcomesMatchingOut | None
    promotion: PromotionPairOut
    roi: RoiOut | None


class OutcomesImportErrorOut(Schema):
    field: str
    message: str
    row: int | None = None


class OutcomesImportRowOut(Schema):
    row: int
    person: str
    action: Literal["create", "update", "unchanged", "not_found", "reject"]
    changes: list[str]
    errors: list[OutcomesImportErrorOut]


class OutcomesImportOut(Schema):
    dry_run: bool
    committed: bool
    counts: dict[str, int]
    columns: list[str]
    warnings: list[str]
    rows: list[OutcomesImportRowOut]


class OutcomesSettingsOut(Schema):
    managers_see_outcomes: bool


class OutcomesSettingsIn(InputSchema):
    managers_see_outcomes: bool
