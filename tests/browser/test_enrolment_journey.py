"""The issue's journey end to end: a manager creates a programme and its form, a member enrols,
the manager approves. Every page visited is saved as a screenshot."""

import pytest

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory
from tandem.participants.models import Participant, ParticipantStatus
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import Program, ProgramAccess, ProgramStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_creates_member_enrols_manager_approves(live_server, browser, shoot):
    # given an organisation with a programme manager and a member
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(
        organization=org, role=Role.PROGRAM_MANAGER, email="pm@northwind.test", first_name="Robin"
    )
    member = UserFactory(
        organization=org, email="ada@northwind.test", first_name="Ada", last_name="Lovelace"
    )
    ProfileFactory(user=member, department="Research")
    manager_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    member_page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    base = live_server.url

    # when the manager creates an application programme
    sign_in(manager_page, base, manager.email, DEFAULT_PASSWORD)
    shoot(manager_page, "manager-home")
    manager_page.goto(f"{base}/programs/")
    shoot(manager_page, "manager-programmes")
    manager_page.get_by_role("link", name="Create your first programme").click()
    manager_page.get_by_label("Name").fill("Engineering mentoring 2027")
    manager_page.get_by_label("Who may join").select_option(ProgramAccess.APPLICATION)
    manager_page.get_by_label("Cohort starts on").fill("2027-03-01")
    manager_page.get_by_label("Cohort ends on").fill("2028-02-28")
    shoot(manager_page, "manager-create-form")
    manager_page.get_by_role("button", name="Create draft").click()
    manager_page.get_by_role("heading", name="Engineering mentoring 2027").wait_for()
    shoot(manager_page, "manager-programme-draft")
    program = Program.objects.get(name="Engineering mentoring 2027")

    # and builds its form: one required question for mentees
    manager_page.get_by_role("link", name="Add questions").click()
    manager_page.locator("#id_qnew_prompt").fill("What do you want to get better at?")
    manager_page.get_by_label("Asked of").select_option("mentee")
    manager_page.get_by_label("An answer is required").check()
    manager_page.get_by_role("button", name="Add question").click()
    manager_page.get_by_text("Added 'What do you want to get better at?'.").wait_for()
    shoot(manager_page, "manager-form-builder")

    # and publishes it
    manager_page.goto(f"{base}/programs/{program.pk}/")
    manager_page.get_by_role("button", name="Publish").click()
    manager_page.get_by_text("is published").wait_for()
    shoot(manager_page, "manager-published")

    # when the member, on a phone, applies as a mentee
    sign_in(member_page, base, member.email, DEFAULT_PASSWORD)
    shoot(member_page, "member-home")
    member_page.get_by_role("link", name="Apply").click()
    member_page.get_by_label("As a mentee").check()
    member_page.get_by_label("What do you want to get better at?").wait_for()
    shoot(member_page, "member-enrol-form")
    member_page.get_by_label("What do you want to get better at?").fill("Code review feedback")
    member_page.get_by_label("Why do you want to join?").fill("I lead reviews now.")
    member_page.get_by_role("button", name="Send my application").click()
    member_page.wait_for_url(f"{base}/")
    shoot(member_page, "member-applied")
    application = Participant.objects.get(program=program, user=member)
    assert application.status == ParticipantStatus.PENDING

    # when the manager approves the application from the participants table
    manager_page.goto(f"{base}/programs/{program.pk}/participants/")
    shoot(manager_page, "manager-participants")
    manager_page.get_by_role("button", name="Approve Ada Lovelace").click()
    manager_page.locator(f"#participant-{application.pk}").get_by_text("Enrolled").wait_for()
    shoot(manager_page, "manager-approved")

    # then the member is enrolled, with their answer, and sees it at home
    application.refresh_from_db()
    program.refresh_from_db()
    assert program.status == ProgramStatus.PUBLISHED
    assert (application.role, application.status, application.decided_by_id) == (
        "mentee",
        ParticipantStatus.ACTIVE,
        manager.pk,
    )
    assert list(application.answers.values_list("value", flat=True)) == ["Code review feedback"]
    member_page.goto(f"{base}/")
    member_page.get_by_text("Engineering mentoring 2027").first.wait_for()
    shoot(member_page, "member-enrolled")
    manager_page.context.close()
    member_page.context.close()
