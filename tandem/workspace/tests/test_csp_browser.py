"""The pages whose inline handlers moved to tandem.js still work under the
Content-Security-Policy (the `page` fixture fails the test on any CSP refusal)."""

import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.journeys.models import StepCompletion
from tandem.journeys.tests.factories import step_named
from tandem.meetings.models import Meeting, MeetingStatus
from tandem.meetings.tests.factories import schedule
from tandem.programs.models import Program, ProgramStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(*users):
    for user in users:
        user.set_password(DEFAULT_PASSWORD)
        user.save(update_fields=["password"])


def test_the_pairs_pages_work_under_the_policy(live_server, page, pair, shoot):
    # given
    _password(pair.mentor)
    meeting = schedule(pair.relationship, pair.mentor)
    step = step_named(pair.cast.program.pk, "Agree how you will track progress")
    base = live_server.url
    sign_in(page, base, pair.mentor.email, DEFAULT_PASSWORD)
    response = page.goto(f"{base}/relationships/{pair.relationship.pk}/journey/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # when the mentor ticks a checklist step (the box submits its form: data-submit-on-change)
    page.locator(f"#tick-{step.pk}").check()
    page.locator(f"#step-{step.pk}[data-done='true']").wait_for()
    shoot(page, "step-ticked")
    # then
    assert StepCompletion.objects.filter(step=step, completed_by=pair.mentor).count() == 1

    # when they start to cancel a meeting and say no to the question (data-confirm)
    page.goto(f"{base}/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_timeout(300)
    # then nothing is cancelled
    assert questions == ["Cancel this meeting? You both receive a cancellation."]
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED

    # when they say yes
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_load_state("networkidle")
    shoot(page, "meeting-cancelled")
    # then
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


def test_archiving_asks_first_and_the_api_docs_render(live_server, page, pair, shoot):
    # given
    manager = pair.cast.manager
    _password(manager)
    program = pair.cast.program
    base = live_server.url
    sign_in(page, base, manager.email, DEFAULT_PASSWORD)
    page.goto(f"{base}/programs/{program.pk}/")

    # when the manager says no, then yes, to archiving
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Archive").click()
    page.wait_for_timeout(300)
    assert Program.objects.get(pk=program.pk).status != ProgramStatus.ARCHIVED
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    page.wait_for_load_state("networkidle")
    # then
    assert Program.objects.get(pk=program.pk).status == ProgramStatus.ARCHIVED

    # when the API's docs are opened (Swagger UI from local static files)
    page.goto(f"{base}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    shoot(page, "api-docs")
    # then the operations are listed
    assert page.locator(".swagger-ui .opblock").count() > 50
