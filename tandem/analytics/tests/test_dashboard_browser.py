"""A manager's journey through a programme's dashboard in a real browser: the charts and their
tables, a filter applied in place (htmx), a drill-down to the pairs behind a figure, a download.
Every step is saved as a screenshot, and the page works under the Content-Security-Policy."""

import pytest

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A chart with its name: an image, or a group when its bars are links to the pairs behind them.
CHARTS = "svg.tandem-chart:is([role=img], [role=group])[aria-labelledby]"


def test_manager_reads_filters_and_drills_into_the_dashboard(live_server, page, shoot):
    # given a programme with six pairs, four signed, two of them in Finance
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(organization=org, role=Role.PROGRAM_MANAGER, email="pm@northwind.test")
    program = ProgramFactory(organization=org, name="Leaders 2026", managers=[manager])
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = 6
    mentor.save(update_fields=["capacity"])
    for index in range(6):
        mentee = h.person(program, department="Finance" if index < 2 else "Sales")
        relationship = h.pair(mentor, mentee, score=index / 6)
        if index < 4:
            h.sign(relationship, days=100)
        h.meeting(relationship, days=9 + index)
    analytics_refresh()
    base = live_server.url

    # when the manager opens the programme's analytics
    sign_in(page, base, manager.email, DEFAULT_PASSWORD)
    page.goto(f"{base}/programs/{program.pk}/")
    page.get_by_role("main").get_by_role("link", name="Analytics", exact=True).click()
    page.get_by_role("heading", name="Analytics for Leaders 2026").wait_for()
    shoot(page, "dashboard")

    # then every chart is a picture with a name (a group when its bars are links), and the
    # funnel's table is beside it
    assert page.locator(CHARTS).count() >= 5
    funnel = page.get_by_test_id("table-funnel")
    assert funnel.locator("tbody tr").nth(3).inner_text().split("\t")[:2] == [
        "Agreement signed",
        "4",
    ]

    # when they narrow it to Finance (refreshed in place)
    page.get_by_label("Department").fill("Finance")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**department=Finance**")
    page.get_by_test_id("table-funnel").locator("tbody tr").nth(2).get_by_text("2").wait_for()
    shoot(page, "dashboard-finance")

    # and drill into the pairs that signed
    page.get_by_test_id("table-funnel").get_by_test_id("drill").nth(1).click()
    page.get_by_role("heading", name="Pairs behind “Agreement signed”").wait_for()
    shoot(page, "pairs-signed")
    assert page.get_by_test_id("pairs-table").locator("tbody tr").count() == 2

    # and the funnel downloads as a spreadsheet
    page.go_back()
    with page.expect_download() as download:
        page.get_by_test_id("xlsx-funnel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_dashboard_reads_on_a_phone(live_server, phone_page, shoot):
    # given a programme with pairs at several funnel steps
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(organization=org, role=Role.PROGRAM_MANAGER, email="pm@northwind.test")
    program = ProgramFactory(organization=org, name="Leaders 2026", managers=[manager])
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = 6
    mentor.save(update_fields=["capacity"])
    for index in range(6):
        relationship = h.pair(mentor, h.person(program), score=index / 6)
        if index < 4:
            h.sign(relationship, days=100)
        h.meeting(relationship, days=9 + index)
    analytics_refresh()
    # when the manager opens the dashboard on a 375 px phone
    sign_in(phone_page, live_server.url, manager.email, DEFAULT_PASSWORD)
    phone_page.goto(f"{live_server.url}/programs/{program.pk}/analytics/")
    phone_page.get_by_role("heading", name="Analytics for Leaders 2026").wait_for()
    shoot(phone_page, "dashboard-phone")
    # then nothing makes the page scroll sideways, and each chart has its table
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"the page is {width} px wide on a 375 px screen"
    charts = phone_page.locator(CHARTS)
    assert charts.count() >= 5
    assert charts.first.bounding_box()["width"] <= 375
    assert phone_page.get_by_test_id("table-funnel").is_visible()
