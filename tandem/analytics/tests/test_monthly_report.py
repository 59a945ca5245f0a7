"""The monthly programme report: opt-in managers and admins, figures read through the
dashboards' selectors (withheld below the minimum group, no names), through the outbox, once
per person and month, a multipart email whose charts are tables."""

import datetime
import re
import threading
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from conftest import ACTOR_NAMES
from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.analytics import reports, selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.models import MonthlyReport
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tasks import monthly_report_send_task
from tandem.analytics.tests import history as h
from tandem.core.errors import InvalidInput
from tandem.health.services import health_refresh
from tandem.notifications.emails import outbox_email_build
from tandem.notifications.models import (
    Notification,
    NotificationCategory,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from tandem.notifications.selectors import preference_list_for_user
from tandem.notifications.services import (
    notification_preferences_update,
    notification_unsubscribe,
    quiet_hours_set,
)
from tandem.notifications.unsubscribe import unsubscribe_token
from tandem.participants.models import ParticipantRole
from tandem.people.selectors import profile_timezone_get
from tandem.programs.models import ProgramStatus
from tandem.programs.tests.factories import ProgramFactory

# The report sent on 1 June 2026 is about May; the history's "now" is 17 June, and its
# answers 20-40 days before it fall in May.
MONTH_END = timezone.make_aware(datetime.datetime(2026, 6, 1))
MAY = datetime.date(2026, 5, 1)
IN_MAY = (20, 25, 30, 35, 40)
CATEGORY = NotificationCategory.MONTHLY_REPORT


def opt_in(user: User, channel: str = "email") -> None:
    NotificationPreference.objects.update_or_create(
        user=user, category=CATEGORY, defaults={"channel": channel}
    )


def reports_of(month: datetime.date = MAY):
    return OutboxMessage.objects.filter(rule=reports.RULE, key__endswith=f":{month:%Y-%m}")


def programme_with_answers(program, *, people: int):
    """`people` mentees in pairs, each of whom gave an NPS answer in May."""
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = people
    mentor.save(update_fields=["capacity"])
    pairs = [h.pair(mentor, h.person(program)) for _ in range(people)]
    for relationship, score, days in zip(pairs, (10, 9, 8, 6, 3, 10), IN_MAY * 2, strict=False):
        h.answer(relationship, kind="nps", days=days, number=score)
    return pairs


def dashboard_of(*program_ids: int):
    scope = Scope(
        program_ids=tuple(sorted(program_ids)),
        filters=Filters(weeks=reports.REPORT_WEEKS),
        now=MONTH_END,
    )
    return selectors.dashboard(scope)


@pytest.mark.parametrize("opted_in", [True, False])
def test_only_opted_in_managers_and_admins_of_a_programme_receive_it(cast, opted_in):
    # given: every actor of the matrix has the category on (members cannot set it themselves:
    # their row is written directly, as an old preference would be), or none has
    if opted_in:
        for name in ACTOR_NAMES[1:]:
            opt_in(cast.by_name(name))
    # when
    written = reports.monthly_reports_send(month_end=MONTH_END)
    # then: the programme's manager and the organisation's admin; not the manager of no
    # programme, not the admin of another organisation (no programme), no member
    expected = {cast.manager.pk, cast.admin.pk} if opted_in else set()
    assert set(reports_of().values_list("recipient_id", flat=True)) == expected
    assert set(MonthlyReport.objects.values_list("recipient_id", flat=True)) == expected
    assert written == len(expected)


def test_the_category_is_off_until_chosen_and_offered_to_managers_only(cast):
    # given / when / then: off by default; refused for a member, naming the field
    offered = {c: ch for c, _, ch, *_ in preference_list_for_user(actor=cast.manager)}
    assert offered[CATEGORY] == "off"
    assert CATEGORY not in {c for c, *_ in preference_list_for_user(actor=cast.mentor)}
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(actor=cast.mentor, channels={CATEGORY: "email"})
    assert [(e.field, e.message) for e in refused.value.errors] == [
        (CATEGORY, "Only programme managers and organisation admins receive this.")
    ]
    assert not NotificationPreference.objects.filter(user=cast.mentor).exists()
    notification_preferences_update(actor=cast.admin, channels={CATEGORY: "email"})
    assert NotificationPreference.objects.get(user=cast.admin).channel == "email"


def test_the_figures_are_the_dashboards_figures(cast):
    # given: five mentees answered NPS in May (published), a second programme of the admin's
    programme_with_answers(cast.program, people=5)
    other = ProgramFactory(organization=cast.org, name="Graduate scheme")
    programme_with_answers(other, people=2)
    opt_in(cast.manager)
    opt_in(cast.admin)
    analytics_refresh(now=MONTH_END)
    health_refresh()
    # when
    reports.monthly_reports_send(month_end=MONTH_END)
    # then: every figure of every section is the dashboard's, as at the month's end
    mine = reports_of().get(recipient=cast.manager)
    admins = reports_of().get(recipient=cast.admin)
    expected_sections = {
        mine.pk: [("Leadership cohort", (cast.program.pk,))],
        admins.pk: [
            ("All programmes", (cast.program.pk, other.pk)),
            ("Graduate scheme", (other.pk,)),
            ("Leadership cohort", (cast.program.pk,)),
        ],
    }
    for message in (mine, admins):
        text = message.text_body
        titles = re.findall(r"^== (.+) ==$", text, flags=re.MULTILINE)
        assert titles == [title for title, _ in expected_sections[message.pk]]
        for part, (title, ids) in zip(
            text.split("\n== ")[1:], expected_sections[message.pk], strict=True
        ):
            data = dashboard_of(*ids)
            assert part.startswith(f"{title} ==")
            for step in data["funnel"]["steps"]:
                assert f"- {step['label']}: {step['count']}\n" in part
            engagement = data["engagement"]
            assert f"{engagement['active_pairs']} active pair" in part
            assert f"{engagement['mentoring_hours']} hours of mentoring" in part
            for week in engagement["weeks"]:
                assert f"{week['week']:%b}: {week['meetings_held']}\n" in part
            nps = data["satisfaction"]["nps"]
            if nps["withheld"]:
                assert f"NPS: {nps['withheld']}" in part
            else:
                assert f"NPS {nps['nps']} (95 % interval {nps['low']} to {nps['high']})" in part
            for bucket, count in data["health"]["buckets"].items():
                assert f"- {data['health']['labels'][bucket]}: {count}\n" in part
    # the figures are not all zero: the funnel counted people, health scored pairs, and the
    # programme's five answers are published
    assert dashboard_of(cast.program.pk)["funnel"]["steps"][0]["count"] == 6  # and the cast's
    assert sum(dashboard_of(cast.program.pk)["health"]["buckets"].values()) == 5
    leadership = dashboard_of(cast.program.pk)["satisfaction"]["nps"]
    assert leadership["withheld"] is None
    assert leadership["answers"] == 5
    assert f"NPS {leadership['nps']} (95 % interval" in mine.text_body
    # a manager's report of one programme is dressed in it and links to its dashboard
    assert (mine.program_id, mine.program_name) == (cast.program.pk, "Leadership cohort")
    assert mine.url.endswith(f"/programs/{cast.program.pk}/analytics/?weeks=4")
    assert admins.program_id is None
    assert admins.url.endswith("/analytics/?weeks=4")


def test_small_groups_are_withheld_and_no_one_is_named(cast):
    # given: four answers in May (under the minimum group of five), everyone with a name that
    # could not appear by chance
    programme_with_answers(cast.program, people=4)
    for user in User.objects.all():
        user.first_name, user.last_name = f"Firstq{user.pk}x", f"Lastq{user.pk}x"
        user.save(update_fields=["first_name", "last_name"])
    opt_in(cast.manager)
    # when
    reports.monthly_reports_send(month_end=MONTH_END)
    # then: the dashboard's reason, in both parts; no name or address of anyone
    message = reports_of().get()
    withheld = dashboard_of(cast.program.pk)["satisfaction"]["nps"]["withheld"]
    assert withheld
    assert "at least 5 people" in withheld
    assert f"NPS: {withheld}" in message.text_body
    assert f"NPS: {withheld}" in message.html_body
    assert "NPS <strong>" not in message.html_body
    email = outbox_email_build(message)
    html = email.alternatives[0][0]
    for user in User.objects.all():
        for part in (message.subject, email.body, html):
            assert user.first_name not in part
            assert user.last_name not in part
            assert user.email.split("@")[0] + "@" not in part


def test_two_runs_write_one_report_per_person_and_month(cast):
    # given
    programme_with_answers(cast.program, people=2)
    opt_in(cast.manager)
    opt_in(cast.admin)
    # when
    first = reports.monthly_reports_send(month_end=MONTH_END)
    second = reports.monthly_reports_send(month_end=MONTH_END)
    task_run = monthly_report_send_task.call(period_start=MONTH_END.isoformat())
    # then
    assert (first, second, task_run) == (2, 0, 0)
    assert reports_of().count() == 2
    assert MonthlyReport.objects.count() == 2
    # a new month is a new report
    assert (
        reports.monthly_reports_send(month_end=timezone.make_aware(datetime.datetime(2026, 7, 1)))
        == 2
    )
    assert reports_of(datetime.date(2026, 6, 1)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_write_one_report_per_person(cast):
    # given
    programme_with_answers(cast.program, people=2)
    opt_in(cast.manager)
    opt_in(cast.admin)
    written: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            written.append(reports.monthly_reports_send(month_end=MONTH_END))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    # when: two workers at once on PostgreSQL; one after the other on SQLite
    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        barrier = threading.Barrier(1)
        run()
        run()
    # then
    assert errors == []
    assert sum(written) == 2
    assert sorted(reports_of().values_list("recipient_id", flat=True)) == sorted(
        [cast.manager.pk, cast.admin.pk]
    )
    assert MonthlyReport.objects.count() == 2


def test_the_email_is_multipart_with_table_charts_and_one_click_unsubscribe(cast):
    # given
    programme_with_answers(cast.program, people=5)
    opt_in(cast.manager)
    reports.monthly_reports_send(month_end=MONTH_END)
    message = reports_of().get()
    # when
    email = outbox_email_build(message)
    # then
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert email.subject == "Your mentoring programmes in May 2026"
    assert email.to == [cast.manager.email]
    assert "Funnel (mentees): people who reached each step" in email.body
    assert "<svg" not in html
    assert '<caption style="text-align:left;font-weight:600;padding:0 0 6px 0;">' in html
    assert html.count('<th scope="row"') >= 7 + 4 + 4  # funnel, weeks, health buckets
    assert 'aria-hidden="true"' in html  # the bars: the numbers beside them are the data
    assert f"/programs/{cast.program.pk}/analytics/?weeks=4" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe_token(user_id=cast.manager.pk, category=CATEGORY)
    assert token in email.extra_headers["List-Unsubscribe"]


def test_channels_quiet_hours_and_unsubscribe_are_the_outboxs(cast):
    # given: the admin wants it in-app only, the manager by email but in quiet hours now
    programme_with_answers(cast.program, people=2)
    opt_in(cast.admin, channel="in_app")
    opt_in(cast.manager)
    zone = zoneinfo.ZoneInfo(profile_timezone_get(user=cast.manager))
    now = timezone.localtime(timezone=zone)  # quiet hours are the profile's wall-clock times
    start = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + datetime.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    quiet_hours_set(actor=cast.manager, start=start, end=end)
    # when
    reports.monthly_reports_send(month_end=MONTH_END)
    # then
    admins = reports_of().get(recipient=cast.admin)
    assert (admins.status, admins.text_body) == (OutboxStatus.SKIPPED, "")
    assert Notification.objects.filter(user=cast.admin, category=CATEGORY).count() == 1
    mine = reports_of().get(recipient=cast.manager)
    assert mine.status == OutboxStatus.PENDING
    assert mine.not_before > timezone.now() + datetime.timedelta(minutes=30)
    # when: the manager unsubscribes in one click; June's report is in-app only
    notification_unsubscribe(token=unsubscribe_token(user_id=cast.manager.pk, category=CATEGORY))
    reports.monthly_reports_send(month_end=timezone.make_aware(datetime.datetime(2026, 7, 1)))
    # then
    june = reports_of(datetime.date(2026, 6, 1)).get(recipient=cast.manager)
    assert june.status == OutboxStatus.SKIPPED


def test_a_draft_or_archived_programme_is_not_reported(cast):
    # given: the manager's only programme is archived
    cast.program.status = ProgramStatus.ARCHIVED
    cast.program.save(update_fields=["status"])
    opt_in(cast.manager)
    # when
    written = reports.monthly_reports_send(month_end=MONTH_END)
    # then
    assert written == 0
    assert not reports_of().exists()
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 6, 2),
        datetime.datetime(2026, 6, 1, 0, 30),
        datetime.datetime(2026, 6, 1, 1),
    ],
)
def test_a_report_is_sent_for_a_month_start_only(moment):
    # when / then
    with pytest.raises(ValueError, match="not the start of a month"):
        reports.report_month(timezone.make_aware(moment))
    assert reports.report_month(MONTH_END) == MAY


def test_each_programmes_figures_are_read_once_whoever_receives_them(cast, monkeypatch):
    # given: three managers of the programme and the admin opted in
    more = [UserFactory(organization=cast.org, role="program_manager") for _ in range(2)]
    cast.program.managers.add(*more)
    for user in (cast.manager, cast.admin, *more):
        opt_in(user)
    reads: list[tuple[int, ...]] = []
    real = selectors.dashboard

    def counted(scope):
        reads.append(scope.program_ids)
        return real(scope)

    monkeypatch.setattr(selectors, "dashboard", counted)
    # when
    written = reports.monthly_reports_send(month_end=MONTH_END)
    # then: four reports from one read (the admin's roll-up of one programme is that
    # programme's figures)
    assert written == 4
    assert reads == [(cast.program.pk,)]
