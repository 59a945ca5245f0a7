"""The monthly report's HTML part in a real browser (Debian's chromium), on a desktop and a
phone: its charts are tables a screen reader can name, with bars drawn by table cells in
proportion to their numbers. Each view is saved as a screenshot."""

import datetime

import pytest
from django.utils import timezone

from tandem.analytics import reports
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.health.services import health_refresh
from tandem.notifications.emails import outbox_email_build
from tandem.notifications.models import NotificationCategory, NotificationPreference, OutboxMessage
from tandem.participants.models import ParticipantRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTH_END = timezone.make_aware(datetime.datetime(2026, 6, 1))


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_the_report_reads_as_tables_with_bars(cast, request, shoot, viewport):
    # given: a manager's report of a programme with five pairs that answered NPS in May
    mentor = h.person(cast.program, role=ParticipantRole.MENTOR)
    mentor.capacity = 5
    mentor.save(update_fields=["capacity"])
    for score, days in zip((10, 9, 8, 6, 3), (20, 25, 30, 35, 40), strict=True):
        relationship = h.pair(mentor, h.person(cast.program))
        h.answer(relationship, kind="nps", days=days, number=score)
        h.meeting(relationship, days=days - 5)
    analytics_refresh(now=MONTH_END)
    health_refresh()
    NotificationPreference.objects.create(
        user=cast.manager, category=NotificationCategory.MONTHLY_REPORT, channel="email"
    )
    reports.monthly_reports_send(month_end=MONTH_END)
    email = outbox_email_build(OutboxMessage.objects.get(rule=reports.RULE))
    page = request.getfixturevalue(viewport)
    # when
    page.set_content(email.alternatives[0][0])
    # then: the funnel is a table named by its caption, a row per step with its number; the
    # widest bar is the largest number's, an empty step has no bar
    funnel = page.get_by_role("table", name="People who reached each step")
    funnel.wait_for()
    rows = funnel.locator(":scope > tbody > tr")  # not the bars' own tables' rows
    assert rows.count() == 7
    assert rows.nth(0).get_by_role("rowheader").inner_text() == "Invited or applied"
    assert rows.nth(0).locator("td").first.inner_text() == "6"
    bars = [
        rows.nth(index).locator("td[aria-hidden] td[bgcolor='#0d6efd']").count()
        for index in range(7)
    ]
    assert bars[0] == 1
    assert rows.nth(6).locator("td").first.inner_text() == "0"  # no pair completed yet
    assert bars[6] == 0
    assert page.get_by_role("table", name="Open pairs by health").is_visible()
    assert page.get_by_role("table", name="Meetings held per week").is_visible()
    assert page.get_by_text("NPS ", exact=False).first.is_visible()
    assert page.locator("svg").count() == 0
    shoot(page, viewport)
