"""The monthly programme report: an email, once a month, to each programme manager and
organisation admin who opted in (the notification category `monthly_report`, off unless
chosen), with the key figures of the month that just closed.

- **Who**: a programme manager gets a section per published programme they manage; an
  organisation admin gets the organisation's roll-up (every published programme) and then a
  section per programme. The programmes are the ones the dashboards would show them
  (`permissions.analytics_programs_access`), so a report never covers more than its reader's
  dashboards.
- **What**: each section is read through `selectors.dashboard`, the dashboards' own reads, as
  at the first moment of the new month (`Scope.now`), with the engagement series narrowed to
  the last `REPORT_WEEKS` whole weeks: the funnel, engagement, NPS with its interval and the
  mean rating, and the health buckets. Figures under the organisation's minimum group are
  withheld with the dashboard's own reason; nothing names a person.
- **How**: through the outbox (`outbox_enqueue`): the person's channel (email and in-app, or
  in-app only), their quiet hours, and one-click unsubscribe, like every other category.
- **Once**: `MonthlyReport`'s unique (recipient, month) is written in the same transaction as
  the outbox row, so two runs (or two workers) write one report per person and month.

The HTML shows its charts as tables: bars are table cells of a width (email clients drop SVG
and most CSS), and every bar sits beside its number, in a data table with a caption and
headers, so a screen reader and a plain-text reader get the same figures.
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from tandem.accounts.models import Role, User
from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.models import MonthlyReport
from tandem.analytics.permissions import analytics_programs_access
from tandem.core.links import absolute_url
from tandem.health.scoring import BUCKET_ORDER
from tandem.notifications.models import NotificationCategory
from tandem.notifications.selectors import users_opted_in
from tandem.notifications.services import outbox_enqueue
from tandem.programs.models import Program, ProgramStatus
from tandem.programs.selectors import program_for_email

logger = logging.getLogger(__name__)

RULE = "monthly_report"
REPORT_WEEKS = 4  # the engagement series: the last whole weeks before the month's end
BAR_COLOUR = "#0d6efd"
EMPTY_BAR_COLOUR = "#e9ecef"


def report_month(month_end: datetime.datetime) -> datetime.date:
    """The month a report sent at `month_end` (the first moment of a month) is about: the one
    before it. Anything else is a caller's bug."""
    if (month_end.day, month_end.hour, month_end.minute, month_end.second) != (1, 0, 0, 0):
        raise ValueError(f"{month_end.isoformat()} is not the start of a month.")
    return (month_end.date() - datetime.timedelta(days=1)).replace(day=1)


def report_key(*, recipient_id: int, month: datetime.date) -> str:
    """The outbox key of one person's report for one month."""
    return f"{RULE}:programmes:{recipient_id}:{month:%Y-%m}"


def _absolute(url: str) -> str:
    return absolute_url(url)


def _bars(rows: Iterable[tuple[str, float | int | None, str]]) -> list[dict[str, Any]]:
    """Rows of a bar chart: (label, value, value as shown); each with its bar's width in
    percent of the largest value (0 for none)."""
    rows = list(rows)
    largest = max((value or 0 for _, value, _ in rows), default=0)
    return [
        {
            "label": label,
            "value": value,
            "shown": shown,
            "width": round(100 * (value or 0) / largest) if largest else 0,
        }
        for label, value, shown in rows
    ]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} %"


def report_section(*, title: str, url: str, data: dict[str, Any]) -> dict[str, Any]:
    """One programme's (or the roll-up's) part of the report, every figure taken as it is from
    the dashboard's `data` (`selectors.dashboard`): the email never computes a figure."""
    funnel = data["funnel"]
    engagement = data["engagement"]
    nps = data["satisfaction"]["nps"]
    ratings = data["satisfaction"]["ratings"]
    health = data["health"]
    return {
        "title": title,
        "url": url,
        "funnel": _bars(
            (step["label"], step["count"], str(step["count"])) for step in funnel["steps"]
        ),
        "funnel_conversion": [
            (step["label"], _percent(step["conversion"])) for step in funnel["steps"][1:]
        ],
        "funnel_refreshed_at": funnel["refreshed_at"],
        "meetings": _bars(
            (
                f"Week of {week['week'].day} {week['week']:%b}",
                week["meetings_held"],
                str(week["meetings_held"]),
            )
            for week in engagement["weeks"]
        ),
        "active_pairs": engagement["active_pairs"],
        "met_last_30_days": engagement["met_last_30_days"],
        "met_last_30_days_share": _percent(engagement["met_last_30_days_share"]),
        "mentoring_hours": engagement["mentoring_hours"],
        "nps": nps,
        "ratings": ratings,
        "published_through": data["satisfaction"]["published_through"],
        "health": _bars(
            (health["labels"][bucket], health["buckets"][bucket], str(health["buckets"][bucket]))
            for bucket in (bucket.value for bucket in BUCKET_ORDER)
            if bucket in health["buckets"]
        ),
    }


def _programmes(user: User) -> list[Program]:
    """The published programmes of `user`'s dashboards (their guard decides), by name."""
    return [
        program
        for program in analytics_programs_access(actor=user)
        if program.status == ProgramStatus.PUBLISHED
    ]


class _Dashboards:
    """`selectors.dashboard` as at `month_end`, read once per set of programmes in a run (two
    managers of one programme share its figures)."""

    def __init__(self, month_end: datetime.datetime) -> None:
        self.month_end = month_end
        self.read: dict[tuple[int, ...], dict[str, Any]] = {}

    def __call__(self, program_ids: tuple[int, ...]) -> dict[str, Any]:
        if program_ids not in self.read:
            scope = Scope(
                program_ids=program_ids,
                filters=Filters(weeks=REPORT_WEEKS),
                now=self.month_end,
            )
            self.read[program_ids] = selectors.dashboard(scope)
        return self.read[program_ids]


def report_sections(
    *, user: User, programs: list[Program], dashboards: _Dashboards
) -> list[dict[str, Any]]:
    """The sections of `user`'s report: the roll-up first for an organisation admin, then one
    per programme."""
    query = f"?weeks={REPORT_WEEKS}"
    sections = []
    if user.role == Role.ORG_ADMIN:
        sections.append(
            report_section(
                title="All programmes",
                url=_absolute(reverse("analytics:organization") + query),
                data=dashboards(tuple(sorted(p.pk for p in programs))),
            )
        )
    for program in programs:
        sections.append(
            report_section(
                title=program.name,
                url=_absolute(reverse("analytics:program", args=[program.pk]) + query),
                data=dashboards((program.pk,)),
            )
        )
    return sections


def report_render(
    *, month: datetime.date, sections: list[dict[str, Any]], min_group: int
) -> tuple[str, str, str]:
    """(subject, plain text, HTML body) of a report."""
    context = {"month": month, "sections": sections, "min_group": min_group, "weeks": REPORT_WEEKS}
    subject = f"Your mentoring programmes in {month:%B %Y}"
    text = render_to_string("analytics/email/monthly_report.txt", context)
    html = render_to_string(
        "analytics/email/monthly_report.html",
        {**context, "bar": BAR_COLOUR, "empty": EMPTY_BAR_COLOUR},
    )
    return subject, text, html


def monthly_report_send(
    *, user: User, month: datetime.date, month_end: datetime.datetime, dashboards: _Dashboards
) -> bool:
    """Write `user`'s report for `month` (the outbox row and the `MonthlyReport` that makes it
    once), unless it was written before or they have no published programme. Returns whether
    it was written now."""
    if user.role not in (Role.ORG_ADMIN, Role.PROGRAM_MANAGER) or not user.is_active:
        return False
    programs = _programmes(user)
    if not programs:
        return False
    sections = report_sections(user=user, programs=programs, dashboards=dashboards)
    min_group = Scope(program_ids=(programs[0].pk,), now=month_end).min_group
    subject, text, html = report_render(month=month, sections=sections, min_group=min_group)
    with transaction.atomic():
        _, created = MonthlyReport.objects.get_or_create(recipient=user, month=month)
        if not created:
            return False
        outbox_enqueue(
            key=report_key(recipient_id=user.pk, month=month),
            rule=RULE,
            recipient=user,
            category=NotificationCategory.MONTHLY_REPORT,
            subject=subject,
            text=text,
            html=html,
            url=sections[0]["url"],
            program=program_for_email(programs[0]) if len(sections) == 1 else None,
        )
    return True


def monthly_reports_send(*, month_end: datetime.datetime) -> int:
    """Every opted-in manager's and admin's report for the month before `month_end`, once per
    person (the periodic job `monthly_report`, `tasks.monthly_report_send_task`). People whose
    report for that month exists are not read again. Returns how many were written now."""
    month = report_month(month_end)
    dashboards = _Dashboards(month_end)
    done = set(MonthlyReport.objects.filter(month=month).values_list("recipient_id", flat=True))
    written = 0
    people = users_opted_in(category=NotificationCategory.MONTHLY_REPORT).filter(
        role__in=[Role.ORG_ADMIN, Role.PROGRAM_MANAGER]
    )
    for user in people:
        if user.pk in done:
            continue
        if monthly_report_send(user=user, month=month, month_end=month_end, dashboards=dashboards):
            written += 1
    logger.info("monthly report of %s: %d written", f"{month:%Y-%m}", written)
    return written
