"""The admin's outcomes journey in a real browser: check an HR file, commit it, read the
report (charts, verdicts, ROI) and download it."""

import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.outcomes.tests.factories import outcomes_organisation
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_imports_hr_data_and_reads_the_outcomes(cast, live_server, page, shoot, tmp_path):
    # given an organisation with a programme's relationships and HR data already imported
    outcomes_organisation(cast, mentored=40, others=60)
    hr_file = tmp_path / "hr.csv"
    hr_file.write_text(
        "Email,Hire date,Termination date,Department\n"
        "member@northwind.test,2018-05-01,,Finance\n"
        "someone-else@globex.test,2018-05-01,,Finance\n"
    )
    sign_in(page, live_server.url, cast.admin.email, DEFAULT_PASSWORD)
    # when the admin checks a new file
    page.get_by_role("link", name="Outcomes").click()
    page.get_by_role("link", name="Import HR outcome data").click()
    page.get_by_label("HR outcomes file (CSV or XLSX)").set_input_files(str(hr_file))
    page.get_by_role("button", name="Check file").click()
    # then the plan lists the person not found, and nothing is written yet
    page.get_by_text("1 to add").wait_for()
    assert page.get_by_test_id("not-found").get_by_text("someone-else@globex.test").is_visible()
    shoot(page, "import-preview")
    # when they commit it
    page.get_by_role("button", name="Commit import").click()
    page.wait_for_url(f"{live_server.url}/outcomes/")
    # then the report shows both comparisons with charts and verdicts
    assert page.get_by_text("Import done: 1 added").is_visible()
    raw = page.get_by_test_id("retention-raw")
    assert raw.locator("svg[role=img]").count() == 1
    assert raw.get_by_test_id("verdict").is_visible()
    assert page.get_by_test_id("retention-matched").get_by_test_id("verdict").is_visible()
    shoot(page, "report")
    # when they change the ROI's assumptions
    page.get_by_label("What the programme cost").fill("25000")
    page.get_by_role("button", name="Show outcomes").click()
    page.wait_for_url("**programme_cost=25000**")
    assert page.get_by_test_id("roi").get_by_text("25,000").first.is_visible()
    shoot(page, "roi")
    # then the export downloads
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_outcomes_page_reads_on_a_phone(cast, live_server, phone_page, shoot):
    # given an organisation with a programme's relationships and HR data imported
    outcomes_organisation(cast, mentored=40, others=60)
    # when the admin opens the outcomes on a 375 px phone
    sign_in(phone_page, live_server.url, cast.admin.email, DEFAULT_PASSWORD)
    phone_page.goto(f"{live_server.url}/outcomes/")
    raw = phone_page.get_by_test_id("retention-raw")
    raw.get_by_test_id("verdict").wait_for()
    shoot(phone_page, "report-phone")
    # then nothing makes the page scroll sideways, and the curves fit the screen
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"the page is {width} px wide on a 375 px screen"
    chart = raw.locator("svg[role=img]")
    assert chart.count() == 1
    assert chart.bounding_box()["width"] <= 375
