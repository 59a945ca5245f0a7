"""A manager runs bulk matching, pins a pair, and publishes, in a browser; then on a phone."""

import pytest
from django.core import mail

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory
from tandem.matching.models import MatchProposal, MatchRun, PairRule, RunStatus
from tandem.matching.tests.factories import enrol_person
from tandem.participants.models import ParticipantRole
from tandem.people.tests.factories import ProfileFactory, SkillFactory
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _programme():
    org = OrganizationFactory(name="Northwind", slug="northwind")
    manager = UserFactory(
        organization=org, role=Role.PROGRAM_MANAGER, email="pm@northwind.test", first_name="Robin"
    )
    ProfileFactory(user=manager)
    program = ProgramFactory(organization=org, name="Engineering mentoring", managers=[manager])
    python = SkillFactory(organization=org, name="Python")
    sql = SkillFactory(organization=org, name="SQL")
    speaking = SkillFactory(organization=org, name="Public speaking")
    mentees = [
        enrol_person(program, first_name="Ada", last_name="Lovelace", wants=[python]),
        enrol_person(program, first_name="Bob", last_name="Byte", wants=[sql]),
        enrol_person(program, first_name="Cleo", last_name="Park", wants=[speaking]),
        enrol_person(program, first_name="Dev", last_name="Shah", wants=[python, speaking]),
    ]
    mentors = [
        enrol_person(
            program,
            role=ParticipantRole.MENTOR,
            first_name="Grace",
            last_name="Hopper",
            offers=[python, speaking],
            capacity=2,
        ),
        enrol_person(
            program,
            role=ParticipantRole.MENTOR,
            first_name="Linus",
            last_name="Torvalds",
            offers=[sql],
            capacity=1,
        ),
    ]
    return manager, program, mentees, mentors


def test_manager_runs_matching_pins_a_pair_and_publishes(live_server, page, shoot):
    # given a programme with four mentees and three mentor places
    manager, program, mentees, mentors = _programme()
    base = live_server.url
    sign_in(page, base, manager.email, DEFAULT_PASSWORD)

    # when the manager opens matching from the programme page
    page.goto(f"{base}/programs/{program.pk}/")
    page.get_by_role("link", name="Matching", exact=True).click()
    page.get_by_role("heading", name="Matching for Engineering mentoring").wait_for()
    assert page.get_by_text("1 mentee is short of a place").is_visible()
    shoot(page, "matching-home")

    # and makes skills count most in the settings
    page.get_by_role("link", name="Matching settings").click()
    page.get_by_label("Skills (what mentees want, what mentors offer)").select_option("5")
    page.get_by_label("Only pair people who share a language").check()
    page.get_by_label("Only pair people who share a language").uncheck()
    shoot(page, "settings")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Matching settings saved.").wait_for()
    page.get_by_role("link", name="Back to matching").click()

    # and starts a run aiming for the best total fit
    page.get_by_label("Best total fit").check()
    page.get_by_role("button", name="Start the run").click()
    page.get_by_role("heading", name="Result").wait_for()
    shoot(page, "draft")
    run = MatchRun.objects.get(program=program)
    assert (run.status, run.weights["skills"]) == (RunStatus.DRAFT, 5)
    assert page.get_by_text("matched: 3 of 4 mentees").is_visible()

    # and pins Ada with Grace
    page.get_by_role("button", name="Pin Ada Lovelace and Grace Hopper").click()
    page.get_by_text("Pinned Grace Hopper and Ada Lovelace: later runs keep this pair.").wait_for()
    page.get_by_role("button", name="Unpin Ada Lovelace and Grace Hopper").wait_for()
    shoot(page, "pinned")
    assert list(PairRule.objects.values_list("mentee_id", "mentor_id", "kind")) == [
        (mentees[0].pk, mentors[0].pk, "pin")
    ]

    # and searches the pairs with the keyboard
    page.get_by_label("Search by name or email").fill("torvalds")
    page.locator("#pairs").get_by_text("1 pair matches the search.").wait_for()
    shoot(page, "searched")
    page.get_by_label("Search by name or email").fill("")
    page.locator("#pairs").get_by_text("3 pairs.").wait_for()

    # and publishes after confirming
    page.get_by_text("Publish…").click()
    page.get_by_role("button", name="Publish 3 pairs").wait_for()
    shoot(page, "confirm-publish")
    page.get_by_role("button", name="Publish 3 pairs").click()
    page.get_by_text("Published: 3 pairs proposed.").wait_for()
    shoot(page, "published")

    # then the relationships exist, the pinned pair among them, and everyone was emailed
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    pairs = set(Relationship.objects.filter(program=program).values_list("mentee_id", "mentor_id"))
    assert (mentees[0].pk, mentors[0].pk) in pairs
    assert len(pairs) == 3
    assert set(MatchProposal.objects.filter(run=run).values_list("mentee_id", "mentor_id")) == pairs
    assert len(mail.outbox) == 6


def test_draft_on_a_phone(live_server, phone_page, shoot):
    # given a draft
    manager, program, _, _ = _programme()
    base = live_server.url
    sign_in(phone_page, base, manager.email, DEFAULT_PASSWORD)
    phone_page.goto(f"{base}/programs/{program.pk}/matching/")
    shoot(phone_page, "home")
    phone_page.get_by_role("button", name="Start the run").click()
    phone_page.get_by_role("heading", name="Result").wait_for()
    # then the page fits the screen: nothing but the pairs table scrolls sideways
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    shoot(phone_page, "draft")
    phone_page.get_by_text("Show the scores as a table").click()
    phone_page.get_by_role("cell", name="5.6 to 7").wait_for()
    shoot(phone_page, "histogram-table")
    phone_page.get_by_role("button", name="Remove Bob Byte and Linus Torvalds").click()
    phone_page.get_by_text("Removed the pair: Bob Byte is unmatched again.").wait_for()
    shoot(phone_page, "removed")
    assert PairRule.objects.get().kind == "exclude"
