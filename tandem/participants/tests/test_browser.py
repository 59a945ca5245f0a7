import pytest

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory
from tandem.participants.models import Participant, ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import ProgramAccess, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_enrols_on_a_phone(live_server, phone_page, shoot):
    # given
    org = OrganizationFactory(name="Northwind", slug="northwind")
    person = UserFactory(organization=org, email="pat@northwind.test", first_name="Pat")
    ProfileFactory(user=person, department="Finance")
    program = ProgramFactory(organization=org, name="Leadership cohort")
    EnrollmentQuestionFactory(
        program=program,
        prompt="What do you want to learn?",
        is_required=True,
        help_text="A sentence is enough.",
    )
    EnrollmentQuestionFactory(
        program=program,
        prompt="Topics?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["Career", "Craft"],
    )
    sign_in(phone_page, live_server.url, person.email, DEFAULT_PASSWORD)
    shoot(phone_page, "home")
    # when
    phone_page.get_by_role("link", name="Enrol").click()
    phone_page.get_by_label("As a mentee").check()
    phone_page.get_by_label("What do you want to learn?").wait_for()
    shoot(phone_page, "questions-for-mentees")
    phone_page.get_by_role("button", name="Enrol as a mentee").click()
    phone_page.get_by_text("'What do you want to learn?' is required.").wait_for()
    shoot(phone_page, "error-on-the-field")
    phone_page.get_by_label("What do you want to learn?").fill("Giving feedback")
    phone_page.get_by_label("Craft").check()
    phone_page.get_by_role("button", name="Enrol as a mentee").click()
    phone_page.wait_for_url(f"{live_server.url}/")
    shoot(phone_page, "enrolled")
    # then
    assert phone_page.get_by_text("You are enrolled in Leadership cohort as a mentee.").is_visible()
    row = Participant.objects.get(user=person)
    assert (row.role, row.status) == ("mentee", "active")
    assert sorted(row.answers.values_list("value", flat=True), key=str) == [
        "Giving feedback",
        ["Craft"],
    ]


def test_manager_approves_an_application_inline(live_server, page, shoot):
    # given
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(organization=org, role=Role.PROGRAM_MANAGER, email="m@northwind.test")
    program = ProgramFactory(
        organization=org,
        name="Leadership cohort",
        access=ProgramAccess.APPLICATION,
        managers=[manager],
    )
    applicant = UserFactory(organization=org, first_name="Ada", last_name="Lovelace")
    ProfileFactory(user=applicant, department="Research")
    pending = ParticipantFactory(
        program=program, user=applicant, status=ParticipantStatus.PENDING, motivation="Grow"
    )
    sign_in(page, live_server.url, manager.email, DEFAULT_PASSWORD)
    # when
    page.goto(f"{live_server.url}/programs/{program.pk}/participants/")
    page.get_by_label("Search by name, email or department").fill("lovel")
    page.get_by_text("1 participant matches the filters.").wait_for()
    shoot(page, "filtered")
    page.get_by_role("button", name="Approve Ada Lovelace").click()
    page.locator(f"#participant-{pending.pk}").get_by_text("Enrolled").wait_for()
    shoot(page, "approved")
    # then
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by_id) == ("active", manager.pk)


def test_admin_changes_a_role_after_confirming_and_approves_applications_in_bulk(
    live_server, page, shoot
):
    # given an admin, a member to promote and two applications
    org = OrganizationFactory(name="Northwind", slug="northwind")
    admin = UserFactory(organization=org, role=Role.ORG_ADMIN, email="a@northwind.test")
    grace = UserFactory(organization=org, first_name="Grace", last_name="Hopper")
    ProfileFactory(user=grace, department="Treasury")
    program = ProgramFactory(
        organization=org, name="Leadership cohort", access=ProgramAccess.APPLICATION
    )
    applications = [
        ParticipantFactory(
            program=program,
            user=ProfileFactory(user__organization=org, user__first_name=name).user,
            status=ParticipantStatus.PENDING,
        )
        for name in ("Ada", "Alan")
    ]
    sign_in(page, live_server.url, admin.email, DEFAULT_PASSWORD)
    # when the admin finds Grace by department and asks to make her a programme manager
    page.goto(f"{live_server.url}/accounts/members/")
    page.get_by_label("Search by name, email or department").fill("treasury")
    page.get_by_text("1 person matches.").wait_for()
    page.get_by_label("Role of Grace Hopper", exact=True).select_option("program_manager")
    page.get_by_role("button", name="Change the role of Grace Hopper").click()
    page.get_by_text("goes from Member to Programme manager").wait_for()
    shoot(page, "confirm-role")
    # then nothing changed until they confirm
    grace.refresh_from_db()
    assert grace.role == Role.MEMBER
    page.get_by_role("button", name="Yes, make Grace Hopper programme manager").click()
    page.get_by_text("Grace Hopper: role changed from Member to Programme manager.").wait_for()
    grace.refresh_from_db()
    assert grace.role == Role.PROGRAM_MANAGER
    # when they tick both applications, preview and confirm
    page.goto(f"{live_server.url}/programs/{program.pk}/participants/")
    for participant in applications:
        page.get_by_label(f"Choose {participant.user}").check()
    page.get_by_role("button", name="Preview…").click()
    page.get_by_text("2 will be approved.").wait_for()
    shoot(page, "bulk-preview")
    assert Participant.objects.filter(status=ParticipantStatus.PENDING).count() == 2
    page.get_by_role("button", name="Confirm for 2 people").click()
    page.get_by_text("2 approved:").wait_for()
    # then
    assert Participant.objects.filter(status=ParticipantStatus.ACTIVE).count() == 2
