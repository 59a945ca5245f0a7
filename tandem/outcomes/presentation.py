"""The outcomes report as the page shows it: every figure formatted with its interval and the
sizes beside it, the verdicts' colours and the charts. No logic a template would have to do.
"""

from typing import Any

from django.utils.safestring import SafeString

from tandem.core.charts import Series, line_chart
from tandem.outcomes import analysis
from tandem.outcomes.selectors import OutcomesReport

DASH = "—"
VERDICT_CLASSES = {
    analysis.VerdictCode.WITHHELD: "secondary",
    analysis.VerdictCode.TOO_SMALL: "secondary",
    analysis.VerdictCode.NO_DIFFERENCE_SHOWN: "info",
    analysis.VerdictCode.BETTER: "success",
    analysis.VerdictCode.WORSE: "warning",
}
COMPARISONS = (
    (
        "raw",
        "Raw comparison",
        "Mentored people against everyone never mentored, followed from the median match date.",
    ),
    (
        "matched",
        "Matched comparison",
        "Each mentored person against one never-mentored person of the same department, grade, "
        "tenure band and location.",
    ),
)


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.0f} %"


def points(value: float) -> str:
    return f"{value * 100:+.1f}"


def money(value: float) -> str:
    return f"{value:,.0f}"


def _interval(estimate: analysis.Estimate | None, show: Any = percent) -> str:
    if estimate is None:
        return DASH
    return f"{show(estimate.value)} ({show(estimate.lower)} to {show(estimate.upper)})"


def _retention(comparison: analysis.RetentionComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    groups = []
    for group in (comparison.mentored, comparison.others):
        groups.append(
            {
                "label": group.label,
                "withheld": group.withheld,
                "people": group.people,
                "leavers": group.events,
                "at": [
                    {"months": f"{horizon:g}", "text": _interval(estimate)}
                    for horizon, estimate in group.at.items()
                ],
            }
        )
    hazard = comparison.hazard_ratio
    return {
        "groups": groups,
        "horizons": [f"{horizon:g}" for horizon in comparison.horizons],
        "hazard": None
        if hazard is None
        else f"{hazard.ratio:.2f} (95 % CI {hazard.lower:.2f} to {hazard.upper:.2f}), "
        f"p = {hazard.p_value:.3f}",
        "logrank": None if comparison.logrank_p is None else f"p = {comparison.logrank_p:.3f}",
        "verdict": comparison.verdict,
        "verdict_class": VERDICT_CLASSES[comparison.verdict.code],
        "chart": retention_chart(comparison),
        "curve_rows": curve_rows(comparison),
    }


def _promotion(comparison: analysis.PromotionComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    groups = [
        {
            "label": group.label,
            "withheld": group.withheld,
            "people": group.people,
            "promoted": group.promoted,
            "rate": percent(group.rate),
        }
        for group in (comparison.mentored, comparison.others)
    ]
    difference = comparison.difference
    return {
        "within": f"{comparison.within:g}",
        "groups": groups,
        "difference": None
        if difference is None
        else f"{points(difference.value)} points (95 % CI {points(difference.lower)} to "
        f"{points(difference.upper)})",
        "p_value": None if comparison.p_value is None else f"p = {comparison.p_value:.3f}",
        "verdict": comparison.verdict,
        "verdict_class": VERDICT_CLASSES[comparison.verdict.code],
    }


def _smd(value: float | None) -> str:
    return DASH if value is None or value != value else f"{value:.2f}"


def _roi(report: OutcomesReport) -> dict[str, Any] | None:
    roi = report.roi
    if roi is None:
        return None
    return_on_cost = roi.return_on_cost
    return {
        "participants": roi.participants,
        "horizon": f"{roi.horizon:g}",
        "baseline": percent(roi.baseline_retention),
        "hazard_ratio": f"{roi.hazard_ratio:.2f}",
        "replacement_cost": money(roi.replacement_cost),
        "programme_cost": money(roi.programme_cost),
        "leavers_avoided": _interval(roi.leavers_avoided, lambda value: f"{value:.1f}"),
        "savings": _interval(roi.savings, money),
        "net": _interval(roi.net, money),
        "return_on_cost": None if return_on_cost is None else _interval(return_on_cost, percent),
        "interval_spans_zero": roi.leavers_avoided.lower <= 0 <= roi.leavers_avoided.upper,
    }


def report_context(report: OutcomesReport) -> dict[str, Any]:
    retention = {"raw": _retention(report.raw), "matched": _retention(report.matched)}
    promotion = {
        "raw": _promotion(report.promotion_raw),
        "matched": _promotion(report.promotion_matched),
    }
    comparisons = [
        {
            "key": key,
            "title": title,
            "description": description,
            "retention": retention[key],
            "promotion": promotion[key],
        }
        for key, title, description in COMPARISONS
    ]
    matching = report.matching
    return {
        "comparisons": comparisons,
        "balance": []
        if matching is None
        else [
            {
                "covariate": row.covariate.replace("_", " "),
                "levels": row.levels,
                "before": _smd(row.smd_before),
                "after": _smd(row.smd_after),
            }
            for row in matching.balance
        ],
        "matching": matching,
        "roi": _roi(report),
        "roi_basis": {key: title for key, title, _ in COMPARISONS}[report.roi_basis],
    }


def retention_chart(comparison: analysis.RetentionComparison) -> SafeString | None:
    """The Kaplan-Meier curves with their 95 % bands as steps (`core.charts`); None while a
    group is withheld. The page puts the same points in a table beside it."""
    groups = [group for group in (comparison.mentored, comparison.others) if group.curve]
    if comparison.mentored.withheld or comparison.others.withheld or not groups:
        return None
    series = [
        Series(
            name=f"{group.label} ({group.people} people, {group.events} left)",
            points=[(point.time, point.survival) for point in group.curve],
            band=[(point.time, point.lower, point.upper) for point in group.curve],
            step=True,
        )
        for group in groups
    ]
    description = "; ".join(
        f"{group.label}: "
        + ", ".join(
            f"{percent(estimate.value)} still employed after {horizon:g} months"
            for horizon, estimate in group.at.items()
            if estimate is not None
        )
        for group in groups
    )
    return line_chart(
        title="Share still employed, months after the index date (Kaplan-Meier, 95 % band)",
        description=description or "Too little follow-up to read a retention yet.",
        series=series,
        x_label="Months since match (the others: since the median match date)",
        y_label="Still employed",
        y_range=(0.0, 1.0),
        y_format=percent,
        x_format=lambda value: f"{float(value):.0f}",  # type: ignore[arg-type]
    )


def curve_rows(comparison: analysis.RetentionComparison) -> list[dict[str, Any]]:
    """The chart's points as a table: one row per month, both groups side by side."""
    mentored = {point.time: point for point in comparison.mentored.curve}
    others = {point.time: point for point in comparison.others.curve}
    rows = []
    for time in sorted(set(mentored) | set(others)):
        row: dict[str, Any] = {"months": f"{time:g}"}
        for key, points_by_time in (("mentored", mentored), ("others", others)):
            point = points_by_time.get(time)
            row[key] = (
                DASH
                if point is None
                else f"{percent(point.survival)} ({percent(point.lower)} to "
                f"{percent(point.upper)}), {point.at_risk} at risk"
            )
        rows.append(row)
    return rows
