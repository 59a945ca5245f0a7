"""The dashboard as tables: what the page shows beside each chart and what the CSV and XLSX
downloads hold. Built from the one `selectors.dashboard` dict, so the page, the API and the
exports show the same numbers."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tandem.core.exports import Cell


@dataclass(frozen=True)
class Table:
    key: str  # the download's name and the section's anchor
    title: str
    header: list[str]
    rows: list[list[Cell]]
    # Per row: the drill-down figure (`pairs.FIGURES`) behind it, or None.
    figures: list[str | None] = field(default_factory=list)
    note: str | None = None  # why something is withheld

    def rows_with_figures(self) -> list[tuple[list[Cell], str | None]]:
        figures = self.figures or [None] * len(self.rows)
        return list(zip(self.rows, figures, strict=True))


def _day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


PAIR_STEPS = {"matched", "signed", "first_meeting", "active_90", "completed"}


def funnel_table(data: dict[str, Any]) -> Table:
    steps = data["funnel"]["steps"]
    return Table(
        key="funnel",
        title="Funnel",
        header=["Step", "People", "Conversion from the step before (%)", "Median days"],
        rows=[[s["label"], s["count"], s["conversion"], s["median_days"]] for s in steps],
        figures=[s["key"] if s["key"] in PAIR_STEPS else None for s in steps],
    )


def matching_table(data: dict[str, Any]) -> Table:
    m = data["matching"]
    requests = m["requests"]
    return Table(
        key="matching",
        title="Matching",
        header=["Figure", "Value"],
        rows=[
            ["Approved", m["approved"]],
            ["Matched", m["matched"]],
            ["Match rate (%)", m["match_rate"]],
            ["Median days to match", m["median_days_to_match"]],
            ["Requests accepted", requests["accepted"]],
            ["Requests declined", requests["declined"]],
            ["Requests expired", requests["expired"]],
            ["Requests withdrawn", requests["withdrawn"]],
            ["Requests open", requests["open"]],
            ["People waiting", m["waiting"]["people"]],
            ["Median days waiting", m["waiting"]["median_days"]],
        ],
        figures=[None, "matched", None, None, None, None, None, None, None, None, None],
    )


def scores_table(data: dict[str, Any]) -> Table:
    return Table(
        key="match-scores",
        title="Match scores",
        header=["Score from", "Score to", "Pairs"],
        rows=[[b["low"], b["high"], b["pairs"]] for b in data["matching"]["score_distribution"]],
    )


def waiting_table(data: dict[str, Any]) -> Table:
    return Table(
        key="waiting",
        title="People waiting for a match",
        header=["Waiting", "People"],
        rows=[[b["label"], b["people"]] for b in data["matching"]["waiting"]["buckets"]],
    )


ENGAGEMENT_COLUMNS = [
    ("meetings_held", "Meetings held"),
    ("mentoring_hours", "Mentoring hours"),
    ("checkins", "Check-ins"),
    ("messages", "Messages"),
    ("actions_done", "Action items done"),
    ("goals_set", "Goals set"),
    ("goals_completed", "Goals completed"),
]


def engagement_table(data: dict[str, Any]) -> Table:
    return Table(
        key="engagement",
        title="Engagement per week",
        header=["Week of", *[label for _, label in ENGAGEMENT_COLUMNS]],
        rows=[
            [_day(w["week"]), *[w[key] for key, _ in ENGAGEMENT_COLUMNS]]
            for w in data["engagement"]["weeks"]
        ],
    )


def recent_table(data: dict[str, Any]) -> Table:
    e = data["engagement"]
    return Table(
        key="met-recently",
        title="Pairs that met in the last 30 days",
        header=["Figure", "Value"],
        rows=[
            ["Active pairs", e["active_pairs"]],
            ["Met in the last 30 days", e["met_last_30_days"]],
            ["Share (%)", e["met_last_30_days_share"]],
            ["Mentoring hours in the weeks shown", e["mentoring_hours"]],
        ],
        figures=["active", "met_30", None, None],
    )


def nps_table(data: dict[str, Any]) -> Table:
    nps = data["satisfaction"]["nps"]
    rows: list[list[Cell]] = [
        [
            f"{_day(c['first_month'])} to {_day(c['last_month'])}",
            c["people"],
            c["answers"],
            c["nps"],
            c["low"],
            c["high"],
        ]
        for c in nps["cohorts"]
    ]
    if nps["cohorts"]:
        rows.append(["All", nps["people"], nps["answers"], nps["nps"], nps["low"], nps["high"]])
    return Table(
        key="nps",
        title="NPS per cohort",
        header=["Cohort (months)", "People", "Answers", "NPS", "95% CI low", "95% CI high"],
        rows=rows,
        note=nps["withheld"],
    )


def satisfaction_table(data: dict[str, Any]) -> Table:
    s = data["satisfaction"]
    rows: list[list[Cell]] = [["Survey ratings (mean of 5)", s["ratings"]["mean"]]]
    rows += [[f"Pairing fit: {a['label']}", a["count"]] for a in s["pairing_fit"]["answers"]]
    return Table(
        key="satisfaction",
        title="Survey ratings and pairing fit",
        header=["Figure", "Value"],
        rows=rows,
        note=s["ratings"]["withheld"] or s["pairing_fit"]["withheld"],
    )


def skills_table(data: dict[str, Any]) -> Table:
    rows = data["skills"]["competencies"]
    withheld = [r for r in rows if r["withheld"]]
    return Table(
        key="skills",
        title="Skill growth (closing minus starting self-assessment)",
        header=["Competency", "People", "Mean change", "95% CI low", "95% CI high"],
        rows=[[r["competency"], r["people"], r["mean_change"], r["low"], r["high"]] for r in rows],
        note=withheld[0]["withheld"] if withheld else None,
    )


BUILDERS: dict[str, Callable[[dict[str, Any]], Table]] = {
    "funnel": funnel_table,
    "matching": matching_table,
    "match-scores": scores_table,
    "waiting": waiting_table,
    "engagement": engagement_table,
    "met-recently": recent_table,
    "nps": nps_table,
    "satisfaction": satisfaction_table,
    "skills": skills_table,
}


def dashboard_tables(data: dict[str, Any]) -> dict[str, Table]:
    return {key: build(data) for key, build in BUILDERS.items()}


def _key_figures(data: dict[str, Any]) -> list[tuple[str, Cell]]:
    figures: list[tuple[str, Cell]] = []
    for index, step in enumerate(data["funnel"]["steps"]):
        figures.append((step["label"], step["count"]))
        if index:
            figures.append((f"{step['label']}: conversion (%)", step["conversion"]))
    m, e, s = data["matching"], data["engagement"], data["satisfaction"]
    figures += [
        ("Match rate (%)", m["match_rate"]),
        ("Median days to match", m["median_days_to_match"]),
        ("People waiting", m["waiting"]["people"]),
        ("Active pairs", e["active_pairs"]),
        ("Met in the last 30 days (%)", e["met_last_30_days_share"]),
        ("Mentoring hours in the weeks shown", e["mentoring_hours"]),
        ("NPS", s["nps"]["nps"]),
        ("Survey ratings (mean of 5)", s["ratings"]["mean"]),
    ]
    return figures


def comparison_table(
    first: dict[str, Any], second: dict[str, Any], names: tuple[str, str]
) -> Table:
    """Two cohorts side by side: the key figures of each (a withheld one stays empty)."""
    left, right = _key_figures(first), _key_figures(second)
    return Table(
        key="compare",
        title="Two cohorts compared",
        header=["Figure", names[0], names[1]],
        rows=[[label, a, b] for (label, a), (_, b) in zip(left, right, strict=True)],
    )
