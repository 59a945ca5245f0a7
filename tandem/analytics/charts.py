"""The dashboard's pictures, drawn on the server by `tandem.core.charts` from the same dict the
tables and the API read. Each chart has its data table beside it on the page."""

import datetime
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString

from tandem.core.charts import Bar, Series, bar_chart, line_chart

Link = Callable[[str], str]  # drill-down figure -> URL


def funnel_chart(
    data: dict[str, Any],
    link: Link | None,
    other: dict[str, Any] | None = None,
    names: tuple[str, str] = ("", ""),
) -> SafeString:
    steps = data["funnel"]["steps"]
    other_steps = other["funnel"]["steps"] if other else None
    bars = []
    for index, step in enumerate(steps):
        values = [step["count"]] + ([other_steps[index]["count"]] if other_steps else [])
        figure = (
            step["key"]
            if step["key"] in {"matched", "signed", "first_meeting", "active_90", "completed"}
            else None
        )
        links = [link(figure) if link and figure and not other else None] * len(values)
        bars.append(Bar(label=step["label"], values=values, links=links))
    return bar_chart(
        title="Funnel",
        description=(
            "People who reached each step of the programme and every step before it: "
            + ", ".join(f"{s['label']} {s['count']}" for s in steps)
            + "."
        ),
        bars=bars,
        value_label="People",
        series_names=names if other else ("",),
    )


ENGAGEMENT_LINES = [
    ("meetings_held", "Meetings held"),
    ("checkins", "Check-ins"),
    ("messages", "Messages"),
    ("actions_done", "Action items done"),
    ("goals_set", "Goals set"),
    ("goals_completed", "Goals completed"),
]


def engagement_chart(data: dict[str, Any]) -> SafeString:
    weeks = data["engagement"]["weeks"]
    return line_chart(
        title="Engagement per week",
        description=(
            f"Meetings held, check-ins, messages, action items done, goals set and goals "
            f"completed in each whole week from {data['engagement']['first_week']:%d %b %Y} to "
            f"the week of {data['engagement']['last_week']:%d %b %Y}."
        ),
        series=[
            Series(name=label, points=[(w["week"], w[key]) for w in weeks])
            for key, label in ENGAGEMENT_LINES
        ],
        x_label="Week",
        y_label="Count",
    )


def scores_chart(data: dict[str, Any]) -> SafeString:
    bins = data["matching"]["score_distribution"]
    return bar_chart(
        title="Match scores",
        description="How many pairs were matched with a score in each range.",
        bars=[Bar(label=f"{b['low']:g} to {b['high']:g}", values=[b["pairs"]]) for b in bins],
        value_label="Pairs",
    )


def waiting_chart(data: dict[str, Any]) -> SafeString:
    buckets = data["matching"]["waiting"]["buckets"]
    return bar_chart(
        title="People waiting for a match",
        description="Approved people in no open pair, by how long they have waited.",
        bars=[Bar(label=b["label"], values=[b["people"]]) for b in buckets],
        value_label="People",
    )


def nps_chart(data: dict[str, Any]) -> SafeString:
    cohorts = data["satisfaction"]["nps"]["cohorts"]
    points: list[tuple[datetime.date, float | None]] = [
        (c["last_month"], c["nps"]) for c in cohorts
    ]
    band = [
        (c["last_month"], c["low"], c["high"])
        for c in cohorts
        if c["low"] is not None and c["high"] is not None
    ]
    return line_chart(
        title="NPS per cohort",
        description=(
            "Net promoter score of each published cohort (by its last month) with its 95% "
            "confidence interval shaded. Cohorts hold at least "
            f"{data['satisfaction']['min_group']} people and only months that have ended."
        ),
        series=[Series(name="NPS", points=points, band=band)],
        x_label="Cohort (last month)",
        y_label="NPS",
        y_range=(-100, 100),
    )


def skills_chart(data: dict[str, Any]) -> SafeString:
    rows = data["skills"]["competencies"]
    return bar_chart(
        title="Skill growth",
        description=(
            "Mean change from the starting to the closing self-assessment per competency; a "
            "dash where fewer than the minimum group answered both."
        ),
        bars=[Bar(label=r["competency"], values=[r["mean_change"]]) for r in rows],
        value_label="Mean change (points of 5)",
    )


def dashboard_charts(data: dict[str, Any], link: Link | None) -> dict[str, SafeString]:
    return {
        "funnel": funnel_chart(data, link),
        "engagement": engagement_chart(data),
        "match-scores": scores_chart(data),
        "waiting": waiting_chart(data),
        "nps": nps_chart(data),
        "skills": skills_chart(data),
    }
