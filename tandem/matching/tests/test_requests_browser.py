"""Self-matching end to end in a browser: a mentee on a phone opens their suggestions and asks
a suggested mentor with a note; the mentor signs in and accepts. Every step is a screenshot."""

import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.matching.models import MatchRequest, RequestStatus
from tandem.matching.tests.requests_world import mentee_in, mentor_in, skills
from tandem.participants.models import Participant
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship, RelationshipSource, RelationshipStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mentee_asks_a_suggested_mentor_who_accepts(live_server, phone_page, page, shoot):
    # given a programme with a mentee who wants Python and two mentors, one offering it
    program = ProgramFactory(name="Engineering mentoring")
    python, review = skills(program, "Python", "Code review")
    ada = mentee_in(program, "Ada", wants=[python, review], goals="Get better at code review")
    morgan = mentor_in(
        program, "Morgan", offers=[python, review], bio="I run our code review guild."
    )
    mentor_in(program, "Sam", offers=[])
    base = live_server.url

    # when the mentee, on a phone, opens her suggestions from her home page
    sign_in(phone_page, base, ada.user.email, DEFAULT_PASSWORD)
    shoot(phone_page, "mentee-home")
    phone_page.get_by_role("link", name="Find a mentor").click()
    phone_page.get_by_role("heading", name="Find a mentor in Engineering mentoring").wait_for()
    shoot(phone_page, "mentee-suggestions")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    first = phone_page.locator("article").first
    assert first.get_by_role("heading").inner_text() == "Morgan Mentor"

    # and asks Morgan, with a note
    first.get_by_text("Ask Morgan").click()
    first.get_by_label("A note to Morgan (optional)").fill("I review a lot of Python.")
    shoot(phone_page, "mentee-note")
    first.get_by_role("button", name="Send request to Morgan Mentor").click()
    phone_page.get_by_text("Your request is on its way to Morgan Mentor.").wait_for()
    shoot(phone_page, "mentee-requested")
    request = MatchRequest.objects.get()
    assert (request.mentor_id, request.note, request.status) == (
        morgan.pk,
        "I review a lot of Python.",
        RequestStatus.PENDING,
    )

    # when the mentor signs in and accepts from their page
    sign_in(page, base, morgan.user.email, DEFAULT_PASSWORD)
    shoot(page, "mentor-home")
    page.get_by_role("link", name="Mentee requests").click()
    page.get_by_text("I review a lot of Python.").wait_for()
    shoot(page, "mentor-requests")
    page.get_by_role("button", name="Accept Ada Mentee").click()
    page.get_by_text("You are now Ada Mentee's mentor. We emailed you both.").wait_for()
    shoot(page, "mentor-accepted")

    # then the relationship is open and both places are taken
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    relationship = Relationship.objects.get()
    assert (
        relationship.mentor_id,
        relationship.mentee_id,
        relationship.source,
        relationship.status,
    ) == (morgan.pk, ada.pk, RelationshipSource.REQUEST, RelationshipStatus.ACTIVE)
    assert [Participant.objects.get(pk=pk).matched_count for pk in (morgan.pk, ada.pk)] == [1, 1]
    # and the mentee no longer looks for a mentor
    phone_page.goto(f"{base}/")
    phone_page.get_by_text("Engineering mentoring").first.wait_for()
    assert phone_page.get_by_role("link", name="Find a mentor").count() == 0
    shoot(phone_page, "mentee-matched")
