import pytest

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory
from tandem.programs.models import Program, ProgramStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sets_up_and_publishes_a_programme_on_a_phone(live_server, phone_page, shoot):
    # given
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(
        organization=org, role=Role.PROGRAM_MANAGER, email="pm@northwind.test", first_name="Robin"
    )
    page = phone_page
    sign_in(page, live_server.url, manager.email, DEFAULT_PASSWORD)

    # when the manager creates a programme, first with a mistake
    page.goto(f"{live_server.url}/programs/")
    shoot(page, "empty-list")
    page.get_by_role("link", name="Create your first programme").click()
    page.get_by_label("Name").fill("Spring mentoring")
    page.get_by_label("Cohort starts on").fill("2027-03-01")
    page.get_by_label("Cohort ends on").fill("2027-02-01")
    page.get_by_role("button", name="Create draft").click()
    # then the error names the field
    assert page.get_by_text("The end date must be on or after the start date.").is_visible()
    shoot(page, "create-error")

    # when corrected
    page.get_by_label("Cohort ends on").fill("2027-12-01")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("heading", name="Spring mentoring").wait_for()
    shoot(page, "detail-draft")
    program = Program.objects.get(name="Spring mentoring")

    # when two questions are added through htmx and the second moved up with the keyboard
    page.get_by_role("link", name="Add questions").click()
    page.locator("#id_qnew_prompt").fill("What do you want to learn?")
    page.get_by_role("button", name="Add question").click()
    page.get_by_text("Added 'What do you want to learn?'.").wait_for()
    page.locator("#id_qnew_prompt").fill("Preferred format")
    page.get_by_label("Kind of answer").select_option("single_choice")
    page.get_by_label("Options").fill("Video call\nIn person")
    page.get_by_role("button", name="Add question").click()
    page.get_by_text("Added 'Preferred format'.").wait_for()
    page.get_by_role("button", name="Move 'Preferred format' up").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Moved 'Preferred format' up.").wait_for()
    shoot(page, "form-builder")
    # then
    assert list(program.questions.values_list("prompt", flat=True)) == [
        "Preferred format",
        "What do you want to learn?",
    ]

    # when previewed and published
    page.goto(f"{live_server.url}/programs/{program.pk}/form/preview/mentee/")
    shoot(page, "preview-mentee")
    page.goto(f"{live_server.url}/programs/{program.pk}/")
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("is published").wait_for()
    shoot(page, "published")
    # then
    program.refresh_from_db()
    assert program.status == ProgramStatus.PUBLISHED
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
