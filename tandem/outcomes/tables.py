"""The outcomes report as data: the API's JSON and the rows the CSV and XLSX exports write
(through `core.exports`). One shape for every way out, so the page, the API and the exports
agree.

A withheld group (fewer than the minimum group size) shows no count at all: "fewer than N"
is all anyone learns about it.
"""

import math
from collections.abc import Iterator
from typing import Any

from tandem.core.exports import Cell
from tandem.outcomes import analysis
from tandem.outcomes.selectors import OutcomesReport

EXPORT_HEADER = [
    "Section",
    "Comparison",
    "Group",
    "Measure",
    "Months",
    "Value",
    "Lower 95 %",
    "Upper 95 %",
    "People",
    "Events",
]
COMPARISON_LABELS = {"raw": "All not-mentored people", "matched": "Matched comparison"}


def _estimate(estimate: analysis.Estimate | None) -> dict[str, float] | None:
    if estimate is None:
        return None
    return {"value": estimate.value, "lower": estimate.lower, "upper": estimate.upper}


def _verdict(verdict: analysis.Verdict) -> dict[str, Any]:
    return {"code": verdict.code, "text": verdict.text, "significant": verdict.significant}


def _group(group: analysis.GroupRetention) -> dict[str, Any]:
    return {
        "label": group.label,
        "withheld": group.withheld,
        "people": None if group.withheld else group.people,
        "leavers": None if group.withheld else group.events,
        "curve": [
            {
                "months": point.time,
                "retention": point.survival,
                "lower": point.lower,
                "upper": point.upper,
                "at_risk": point.at_risk,
            }
            for point in group.curve
        ],
        "retention_at": [
            {"months": horizon, "retention": _estimate(estimate)}
            for horizon, estimate in group.at.items()
        ],
    }


def _retention(comparison: analysis.RetentionComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    hazard = comparison.hazard_ratio
    return {
        "mentored": _group(comparison.mentored),
        "others": _group(comparison.others),
        "logrank_statistic": comparison.logrank_statistic,
        "logrank_p": comparison.logrank_p,
        "hazard_ratio": None
        if hazard is None
        else {
            "ratio": hazard.ratio,
            "lower": hazard.lower,
            "upper": hazard.upper,
            "p_value": hazard.p_value,
        },
        "verdict": _verdict(comparison.verdict),
    }


def _proportion(group: analysis.GroupProportion) -> dict[str, Any]:
    return {
        "label": group.label,
        "withheld": group.withheld,
        "people": None if group.withheld else group.people,
        "promoted": None if group.withheld else group.promoted,
        "rate": group.rate,
    }


def _promotion(comparison: analysis.PromotionComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "within_months": comparison.within,
        "mentored": _proportion(comparison.mentored),
        "others": _proportion(comparison.others),
        "difference": _estimate(comparison.difference),
        "p_value": comparison.p_value,
        "verdict": _verdict(comparison.verdict),
    }


def _matching(matching: analysis.Matching | None) -> dict[str, Any] | None:
    if matching is None:
        return None
    return {
        "on": list(matching.on),
        "mentored_total": matching.mentored_total,
        "mentored_matched": matching.mentored_matched,
        "others_matched": matching.others_matched,
        "balance": [
            {
                "covariate": row.covariate,
                "levels": row.levels,
                "smd_before": row.smd_before,
                "smd_after": row.smd_after,
            }
            for row in matching.balance
        ],
    }


def _roi(roi: analysis.Roi | None, basis: str) -> dict[str, Any] | None:
    if roi is None:
        return None
    return {
        "basis": basis,
        "participants": roi.participants,
        "horizon_months": roi.horizon,
        "baseline_retention": roi.baseline_retention,
        "hazard_ratio": roi.hazard_ratio,
        "replacement_cost": roi.replacement_cost,
        "programme_cost": roi.programme_cost,
        "leavers_avoided": _estimate(roi.leavers_avoided),
        "savings": _estimate(roi.savings),
        "net": _estimate(roi.net),
        "return_on_cost": _estimate(roi.return_on_cost),
    }


def _finite(value: Any) -> Any:
    """NaN and infinities (an SMD of an empty group) as None: JSON and Excel have neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def report_data(report: OutcomesReport) -> dict[str, Any]:
    """The report as the API answers it (`schemas.OutcomesReportOut`)."""
    query = report.query
    return _finite(
        {
            "as_of": report.as_of,
            "refreshed_at": report.refreshed_at,
            "min_group_size": report.min_group,
            "sample_rule": report.rule.describe(),
            "programs": [{"id": pk, "name": name} for pk, name in report.programs],
            "role": query.role,
            "people_with_records": report.people_with_records,
            "others_index_date": report.others_index_date,
            "notes": list(report.notes),
            "retention": {"raw": _retention(report.raw), "matched": _retention(report.matched)},
            "matching": _matching(report.matching),
            "promotion": {
                "raw": _promotion(report.promotion_raw),
                "matched": _promotion(report.promotion_matched),
            },
            "roi": _roi(report.roi, report.roi_basis),
        }
    )


def _group_size(group: analysis.GroupRetention | analysis.GroupProportion) -> Cell:
    return None if group.withheld else group.people


def export_rows(report: OutcomesReport) -> Iterator[list[Cell]]:
    """Every figure of the report, one per row, in `EXPORT_HEADER`'s columns."""
    for row in _export_rows(report):
        yield [_finite(value) for value in row]


def _export_rows(report: OutcomesReport) -> Iterator[list[Cell]]:
    retention = (("raw", report.raw), ("matched", report.matched))
    for key, comparison in retention:
        if comparison is None:
            continue
        label = COMPARISON_LABELS[key]
        for group in (comparison.mentored, comparison.others):
            if group.withheld:
                yield [
                    "Retention",
                    label,
                    group.label,
                    "Withheld (too few people)",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ]
                continue
            for horizon, estimate in group.at.items():
                yield [
                    "Retention",
                    label,
                    group.label,
                    "Share still employed",
                    horizon,
                    None if estimate is None else estimate.value,
                    None if estimate is None else estimate.lower,
                    None if estimate is None else estimate.upper,
                    group.people,
                    group.events,
                ]
        hazard = comparison.hazard_ratio
        people = None
        if not (comparison.mentored.withheld or comparison.others.withheld):
            people = comparison.mentored.people + comparison.others.people
        if hazard is not None:
            yield [
                "Retention",
                label,
                "Mentored vs not",
                "Hazard ratio (Cox)",
                None,
                hazard.ratio,
                hazard.lower,
                hazard.upper,
                people,
                None,
            ]
        if comparison.logrank_p is not None:
            yield [
                "Retention",
                label,
                "Mentored vs not",
                "Log-rank p-value",
                None,
                comparison.logrank_p,
                None,
                None,
                people,
                None,
            ]
        yield [
            "Retention",
            label,
            "Mentored vs not",
            "Conclusion",
            None,
            comparison.verdict.text,
            None,
            None,
            people,
            None,
        ]
    promotion = (("raw", report.promotion_raw), ("matched", report.promotion_matched))
    for key, promoted in promotion:
        if promoted is None:
            continue
        label = COMPARISON_LABELS[key]
        for share in (promoted.mentored, promoted.others):
            yield [
                "Promotion",
                label,
                share.label,
                "Share promoted",
                promoted.within,
                share.rate,
                None,
                None,
                _group_size(share),
                None if share.withheld else share.promoted,
            ]
        if promoted.difference is not None:
            yield [
                "Promotion",
                label,
                "Mentored minus not",
                "Difference in share promoted",
                promoted.within,
                promoted.difference.value,
                promoted.difference.lower,
                promoted.difference.upper,
                None,
                None,
            ]
        yield [
            "Promotion",
            label,
            "Mentored vs not",
            "Conclusion",
            promoted.within,
            promoted.verdict.text,
            None,
            None,
            None,
            None,
        ]
    if report.matching is not None:
        for row in report.matching.balance:
            yield [
                "Balance",
                COMPARISON_LABELS["matched"],
                row.covariate,
                "Largest standardised difference, before matching",
                None,
                row.smd_before,
                None,
                None,
                None,
                None,
            ]
            yield [
                "Balance",
                COMPARISON_LABELS["matched"],
                row.covariate,
                "Largest standardised difference, after matching",
                None,
                row.smd_after,
                None,
                None,
                None,
                None,
            ]
    roi = report.roi
    if roi is not None:
        label = COMPARISON_LABELS[report.roi_basis]
        yield [
            "ROI",
            label,
            "Assumption",
            "Replacement cost per leaver",
            None,
            roi.replacement_cost,
            None,
            None,
            None,
            None,
        ]
        yield [
            "ROI",
            label,
            "Assumption",
            "Programme cost",
            None,
            roi.programme_cost,
            None,
            None,
            None,
            None,
        ]
        for measure, estimate in (
            ("Leavers avoided", roi.leavers_avoided),
            ("Savings", roi.savings),
            ("Net (savings minus cost)", roi.net),
            ("Return on cost", roi.return_on_cost),
        ):
            if estimate is not None:
                yield [
                    "ROI",
                    label,
                    "Mentored",
                    measure,
                    roi.horizon,
                    estimate.value,
                    estimate.lower,
                    estimate.upper,
                    roi.participants,
                    None,
                ]
    for key, comparison in retention:
        if comparison is None:
            continue
        for group in (comparison.mentored, comparison.others):
            for point in group.curve:
                yield [
                    "Curve",
                    COMPARISON_LABELS[key],
                    group.label,
                    "Share still employed",
                    point.time,
                    point.survival,
                    point.lower,
                    point.upper,
                    point.at_risk,
                    None,
                ]
