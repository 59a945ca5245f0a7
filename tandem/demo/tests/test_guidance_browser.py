"""Guidance in a browser, on the demo data: the new Leadership Accelerator pair (Morgan Reyes
mentoring Priya Sharma). The "sign the agreement" step of their journey ticks itself once both
have signed, and the hub's journey panel shows it; Morgan's notification centre tells him Priya
signed, and marking everything read clears the badge; and on a phone Morgan runs a meeting
from meeting mode: the agenda, the stage's conversation guide, its checklist, shared notes and
one-tap capture of an action for Priya. Every step is a screenshot; no page scrolls sideways."""

import datetime
import re
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tandem.actions.models import ActionItem
from tandem.demo.seed import DEMO_PASSWORD, seed
from tandem.meetings.models import Meeting
from tandem.notifications.models import Notification
from tandem.relationships.models import Relationship, RelationshipStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTOR = "mentor@northwind.example"
MENTEE = "mentee@northwind.example"
DESKTOP = 1280
PHONE = 375

WANTS = "Lead my team's planning on my own and give feedback that lands."
SIGN_STEP = "Sign the mentoring agreement"
SIGNED_BY_MENTEE = "Priya Sharma signed your mentoring agreement"
MEETING = "Getting started together"
QUESTION = "What would make these six months worthwhile for you?"
NOTES = "Priya wants to run Q3 planning alone. Agreed to meet every two weeks on video."
ACTION = "Draft the Q3 planning agenda and send it to Morgan"

Snap = Callable[[Page, str], None]


def _demo_pair() -> Relationship:
    return Relationship.objects.get(
        mentor__user__email=MENTOR,
        mentee__user__email=MENTEE,
        status=RelationshipStatus.ACTIVE,
    )


def _snapper(shoot, width: int, overflowing: list[str]) -> Snap:
    def snap(page: Page, step: str) -> None:
        # A full-page shot, and the page must fit the width asked for: a phone zooms out to
        # fit a wide page, which would widen window.innerWidth along with it.
        shoot(page, step)
        fits = page.evaluate(
            "width => document.documentElement.scrollWidth <= width + 1"
            " && window.innerWidth <= width + 1",
            width,
        )
        if not fits:
            overflowing.append(f"{step} ({page.url})")

    return snap


@pytest.fixture
def pair_pages(live_server, browser: Browser) -> Iterator[tuple[str, Page, Page]]:
    """The demo seeded, and the mentor and the mentee each in their own desktop browser."""
    contexts = [browser.new_context(viewport={"width": DESKTOP, "height": 900}) for _ in "12"]
    for context in contexts:
        context.set_default_timeout(15_000)
    mentor, mentee = (context.new_page() for context in contexts)
    seed()
    yield live_server.url, mentor, mentee
    for context in contexts:
        context.close()


def _fill_and_sign(page: Page) -> None:
    """The mentee's part of the agreement (it saves as she types), then her signature."""
    feedback = page.locator("#agreement-save-feedback")
    wants = page.get_by_label("What the mentee wants from this relationship")
    with page.expect_response(lambda r: r.request.method == "POST"):
        wants.fill(WANTS)
        wants.press("Tab")
    expect(feedback).to_have_text(re.compile(r"Saved \(version \d+\)"))
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_label("Video").check()
    expect(feedback).to_have_text(re.compile(r"Saved \(version \d+\)"))
    page.get_by_test_id("sign-agreement").click()
    expect(page.get_by_test_id("agreement-status")).to_have_text("Signed by one person")


def test_signing_the_agreement_ticks_the_journey_and_notifies_the_partner(
    pair_pages: tuple[str, Page, Page], shoot
) -> None:
    base, mentor, mentee = pair_pages
    overflowing: list[str] = []
    snap = _snapper(shoot, DESKTOP, overflowing)
    pair = _demo_pair()
    hub = f"{base}/relationships/{pair.pk}/"
    sign_in(mentee, base, MENTEE, DEMO_PASSWORD)
    sign_in(mentor, base, MENTOR, DEMO_PASSWORD)

    # given the new pair's journey: signing the agreement is a step that completes itself,
    # and it is not done
    mentee.goto(f"{hub}journey/")
    expect(mentee.get_by_role("heading", name="Your journey in")).to_be_visible()
    step = mentee.get_by_test_id("journey-step").filter(has_text=SIGN_STEP)
    expect(step).to_have_attribute("data-done", "false")
    expect(step).to_contain_text("Completes itself: the agreement is signed by both")
    expect(step.get_by_text(SIGN_STEP, exact=True)).not_to_have_class(
        re.compile("text-decoration-line-through")
    )
    done_before = mentee.get_by_test_id("journey").get_by_text(re.compile(r"\d+ of \d+ steps"))
    counts_before = done_before.inner_text()
    snap(mentee, "mentee-journey-before")
    # (and the mentor has no notification about the agreement yet)
    mentor.goto(f"{base}/notifications/")
    expect(mentor.locator("#notifications-body")).not_to_contain_text(SIGNED_BY_MENTEE)

    # when the mentee fills in the agreement and signs it
    mentee.goto(f"{hub}agreement/")
    _fill_and_sign(mentee)
    snap(mentee, "mentee-agreement-signed")

    # then the mentor's navigation shows unread notifications
    mentor.goto(f"{base}/")
    unread = Notification.objects.filter(user__email=MENTOR, read_at__isnull=True).count()
    assert unread >= 1
    badge = mentor.get_by_test_id("nav-notifications").locator(".badge")
    expect(badge).to_have_text(f"{unread} unread")
    snap(mentor, "mentor-home-unread-badge")

    # and the notification centre says who signed, unread, linking to the agreement
    mentor.get_by_test_id("nav-notifications").click()
    mentor.wait_for_url(f"{base}/notifications/")
    body = mentor.locator("#notifications-body")
    signed = body.locator("li.list-group-item").filter(has_text=SIGNED_BY_MENTEE)
    expect(signed).to_have_count(1)
    expect(signed).to_contain_text("Unread:")
    expect(signed).to_contain_text("Please read it and sign it too.")
    expect(signed.get_by_role("link", name=SIGNED_BY_MENTEE)).to_have_attribute(
        "href", re.compile(rf"/relationships/{pair.pk}/agreement/$")
    )
    expect(body.get_by_role("link", name=re.compile(r"^Unread"))).to_contain_text(str(unread))
    snap(mentor, "mentor-notifications-unread")

    # when he marks them all read (htmx swaps the list in place)
    with mentor.expect_response(lambda r: r.request.method == "POST"):
        mentor.get_by_test_id("mark-all-read").click()
    expect(mentor.get_by_test_id("mark-all-read")).to_have_count(0)
    expect(signed).not_to_contain_text("Unread:")
    expect(body.get_by_role("link", name=re.compile(r"^Unread"))).to_contain_text("0")
    snap(mentor, "mentor-notifications-all-read")

    # then after a reload the badge is gone, and the unread view is empty
    mentor.reload()
    expect(mentor.get_by_test_id("nav-notifications")).to_be_visible()
    expect(mentor.get_by_test_id("nav-notifications").locator(".badge")).to_have_count(0)
    expect(mentor.locator("#notifications-body")).to_contain_text(SIGNED_BY_MENTEE)
    mentor.goto(f"{base}/notifications/?unread=1")
    expect(mentor.get_by_text("You are all caught up.")).to_be_visible()
    assert not Notification.objects.filter(user__email=MENTOR, read_at__isnull=True).exists()

    # when the mentor signs too
    mentor.goto(f"{hub}agreement/")
    expect(mentor.get_by_label("What the mentee wants from this relationship")).to_have_value(WANTS)
    mentor.get_by_test_id("sign-agreement").click()
    expect(mentor.get_by_test_id("agreement-status")).to_have_text("Signed by both")
    snap(mentor, "mentor-agreement-signed-by-both")

    # then the mentee's journey step has ticked itself, with nobody ticking it
    mentee.goto(f"{hub}journey/")
    step = mentee.get_by_test_id("journey-step").filter(has_text=SIGN_STEP)
    expect(step).to_have_attribute("data-done", "true")
    expect(step.get_by_text(SIGN_STEP, exact=True)).to_have_class(
        re.compile("text-decoration-line-through")
    )
    expect(step).not_to_contain_text("ticked by")
    done_after = mentee.get_by_test_id("journey").get_by_text(re.compile(r"\d+ of \d+ steps"))
    before, total = (int(n) for n in re.findall(r"\d+", counts_before)[:2])
    expect(done_after).to_have_text(f"{before + 1} of {total} steps done.")
    snap(mentee, "mentee-journey-after")

    # and the hub's journey panel shows it done
    mentee.goto(hub)
    panel = mentee.get_by_test_id("journeys-panel")
    expect(panel).to_contain_text(f"{before + 1} of {total} steps done")
    panel_step = panel.get_by_test_id("panel-step").filter(has_text=SIGN_STEP)
    expect(panel_step).to_have_attribute("data-done", "true")
    expect(panel_step).to_contain_text("Done")
    panel.scroll_into_view_if_needed()
    snap(mentee, "mentee-hub-journey-panel")

    # and both were told it is signed: the mentee's badge counts it
    expect(mentee.get_by_test_id("nav-notifications").locator(".badge")).to_be_visible()
    mentee.get_by_test_id("nav-notifications").click()
    expect(mentee.locator("#notifications-body")).to_contain_text(
        "Your mentoring agreement is signed"
    )
    snap(mentee, "mentee-notifications")

    assert overflowing == []


def test_meeting_mode_on_a_phone(live_server, phone_page: Page, shoot) -> None:
    base, page = live_server.url, phone_page
    overflowing: list[str] = []
    snap = _snapper(shoot, PHONE, overflowing)
    seed()
    pair = _demo_pair()
    hub = f"{base}/relationships/{pair.pk}/"
    sign_in(page, base, MENTOR, DEMO_PASSWORD)

    # given the mentor schedules a meeting from his phone
    page.goto(f"{hub}meetings/")
    page.get_by_label("Title").fill(MEETING)
    page.get_by_label("Date").fill((timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.get_by_label("Start time").fill("09:30")
    snap(page, "meeting-form")
    page.get_by_test_id("schedule-meeting").click()
    expect(page.get_by_role("heading", name=MEETING)).to_be_visible()
    meeting = Meeting.objects.get(relationship=pair, title=MEETING)
    assert page.url == f"{hub}meetings/{meeting.pk}/"
    snap(page, "meeting-page")

    # when he taps "Meeting mode"
    page.get_by_test_id("meeting-mode").tap()
    page.wait_for_url(f"{hub}meetings/{meeting.pk}/mode/")
    expect(page.get_by_role("heading", name="In session with")).to_be_visible()

    # then one screen holds the agenda (empty so far) ...
    agenda = page.get_by_test_id("mode-agenda")
    expect(agenda).to_contain_text("Nothing on the agenda yet.")
    # ... the current stage's conversation guide, a list of open questions ...
    guide = page.get_by_test_id("mode-guide")
    expect(guide.get_by_role("heading", name="Questions for this stage")).to_be_visible()
    questions = guide.locator("ol > li")
    expect(questions.first).to_be_visible()
    assert questions.count() >= 3, guide.inner_text()
    expect(guide.get_by_role("link")).to_have_attribute("href", re.compile(r"/resources/"))
    # ... the stage's checklist, with signing the agreement ticking itself ...
    checklist = page.get_by_test_id("mode-checklist")
    expect(checklist.get_by_role("heading")).to_contain_text("checklist")
    expect(checklist).to_contain_text(SIGN_STEP)
    expect(checklist).to_contain_text("Ticks itself when Tandem sees it happen.")
    # ... shared notes, and action capture
    expect(page.get_by_test_id("mode-notes")).to_be_visible()
    expect(page.get_by_test_id("capture-action")).to_be_visible()
    snap(page, "meeting-mode")

    # when he adds a question to the agenda
    page.get_by_label("Add a question").fill(QUESTION)
    with page.expect_response(lambda r: r.request.method == "POST"):
        agenda.get_by_role("button", name="Add").tap()
    agenda = page.get_by_test_id("mode-agenda")
    expect(agenda.locator("ol > li")).to_have_text([QUESTION])
    expect(page.get_by_label("Add a question")).to_have_value("")
    agenda.scroll_into_view_if_needed()
    snap(page, "meeting-mode-agenda")

    # and types shared notes and saves them
    page.get_by_label("Shared notes (both of you see them)").fill(NOTES)
    with page.expect_response(lambda r: r.request.method == "POST" and "/notes/" in r.url):
        page.get_by_test_id("mode-notes").get_by_role("button", name="Save notes").tap()
    notes = page.get_by_test_id("mode-notes")
    expect(notes.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Shared notes (both of you see them)")).to_have_value(NOTES)
    notes.scroll_into_view_if_needed()
    snap(page, "meeting-mode-notes")

    # and, in one tap, gives Priya an action to practise
    actions = page.get_by_test_id("mode-actions")
    page.get_by_label("Someone will practise…").fill(ACTION)
    actions.get_by_label("Priya").check()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_test_id("capture-action").tap()

    # then the action is listed as Priya's, and the form is ready for the next one
    actions = page.get_by_test_id("mode-actions")
    listed = actions.locator("li").filter(has_text=ACTION)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Priya")
    expect(page.get_by_label("Someone will practise…")).to_have_value("")
    actions.scroll_into_view_if_needed()
    snap(page, "meeting-mode-action")

    # and all of it was kept: after a reload the screen shows the same
    page.reload()
    expect(page.get_by_test_id("mode-agenda").locator("ol > li")).to_have_text([QUESTION])
    expect(page.get_by_label("Shared notes (both of you see them)")).to_have_value(NOTES)
    expect(page.get_by_test_id("mode-actions")).to_contain_text(ACTION)
    snap(page, "meeting-mode-reloaded")
    meeting.refresh_from_db()
    assert meeting.notes == NOTES
    item = ActionItem.objects.get(relationship=pair, title=ACTION)
    assert item.owner.email == MENTEE

    # and no screen scrolled sideways at phone width
    assert overflowing == []
