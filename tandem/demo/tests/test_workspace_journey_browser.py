"""The relationship workspace end to end on the demo data, in a browser, at desktop and at
phone width: the new Leadership Accelerator pair (Morgan Reyes mentoring Priya Sharma) sign
their agreement, Priya sets a goal with two milestones, Morgan schedules their first meeting
and puts a question on its agenda, after the meeting both check in and an action item
appears, and Priya writes a journal entry Morgan cannot open. Each person has their own
browser; every step is a screenshot, and no page may scroll sideways."""

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tandem.actions.models import ActionItem
from tandem.demo.seed import DEMO_PASSWORD, seed
from tandem.goals.models import Goal
from tandem.journals.models import JournalEntry
from tandem.meetings.models import Meeting
from tandem.relationships.models import Relationship, RelationshipStatus
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTOR = "mentor@northwind.example"
MENTEE = "mentee@northwind.example"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
}

WANTS = "Lead my team's planning on my own and give feedback that lands."
GOAL = "Run the Q3 planning session on my own"
MEASURE = "My manager signs off the Q3 plan without changes"
MILESTONES = ["Draft the Q3 agenda", "Rehearse the opening with Morgan"]
MEETING = "Our first conversation"
QUESTION = "How do I keep a planning session on time without cutting people off?"
MENTOR_PRACTISE = "Ask Priya one open question before giving advice"
MENTEE_PRACTISE = "Open my team meeting with the decision we need today"
SECRET = "Private thought: I worry Morgan thinks my plan is too cautious."


@dataclass
class Journey:
    """The two people's pages at one width, and the shots and overflow found on the way."""

    base: str
    mentor: Page
    mentee: Page
    snap: Callable[[Page, str], None]
    overflowing: list[str] = field(default_factory=list)


@pytest.fixture(params=list(VIEWPORTS))
def journey(
    request: pytest.FixtureRequest, live_server, browser: Browser, shoot
) -> Iterator[Journey]:
    viewport = VIEWPORTS[request.param]
    contexts = [browser.new_context(**viewport) for _ in range(2)]  # type: ignore[arg-type]
    for context in contexts:
        context.set_default_timeout(15_000)
    mentor, mentee = (context.new_page() for context in contexts)
    overflowing: list[str] = []

    def snap(page: Page, step: str) -> None:
        # A full-page shot, and the page must fit its width (no sideways scrolling). Measured
        # against the viewport asked for: a phone zooms out to fit a wide page, which would
        # widen window.innerWidth along with it.
        shoot(page, step)
        width = viewport["viewport"]["width"]  # type: ignore[index]
        fits = page.evaluate(
            "width => document.documentElement.scrollWidth <= width + 1"
            " && window.innerWidth <= width + 1",
            width,
        )
        if not fits:
            overflowing.append(f"{step} ({page.url})")

    seed()
    yield Journey(live_server.url, mentor, mentee, snap, overflowing)
    for context in contexts:
        context.close()


def _demo_pair() -> Relationship:
    return Relationship.objects.get(
        mentor__user__email=MENTOR,
        mentee__user__email=MENTEE,
        status=RelationshipStatus.ACTIVE,
    )


def test_pair_works_through_their_workspace(journey: Journey) -> None:
    base, mentor, mentee, snap = journey.base, journey.mentor, journey.mentee, journey.snap
    pair = _demo_pair()
    hub = f"{base}/relationships/{pair.pk}/"

    # given the new demo pair, each signed in on their own device, on a workspace with
    # nothing done yet
    sign_in(mentee, base, MENTEE, DEMO_PASSWORD)
    sign_in(mentor, base, MENTOR, DEMO_PASSWORD)
    mentee.goto(hub)
    expect(mentee.get_by_role("heading", name="Mentored by Morgan Reyes")).to_be_visible()
    expect(mentee.get_by_test_id("whats-next")).to_contain_text("Sign the agreement")
    snap(mentee, "mentee-hub-new")

    # when the mentee fills in the agreement (it saves as she goes) and signs it
    mentee.goto(f"{hub}agreement/")
    feedback = mentee.locator("#agreement-save-feedback")
    with mentee.expect_response(lambda r: r.request.method == "POST"):
        mentee.get_by_label("What the mentee wants from this relationship").fill(WANTS)
        mentee.get_by_label("What the mentee wants from this relationship").press("Tab")
    expect(feedback).to_have_text(re.compile(r"Saved \(version \d+\)"))
    with mentee.expect_response(lambda r: r.request.method == "POST"):
        mentee.get_by_label("Video").check()
    expect(feedback).to_have_text(re.compile(r"Saved \(version \d+\)"))
    snap(mentee, "mentee-agreement-filled")
    mentee.get_by_test_id("sign-agreement").click()
    expect(mentee.get_by_test_id("agreement-status")).to_have_text("Signed by one person")
    expect(mentee.get_by_text("You signed version")).to_be_visible()
    snap(mentee, "mentee-agreement-signed")

    # and the mentor reads it and signs too
    mentor.goto(f"{hub}agreement/")
    expect(mentor.get_by_label("What the mentee wants from this relationship")).to_have_value(WANTS)
    expect(mentor.get_by_label("Video")).to_be_checked()
    expect(mentor.get_by_test_id("agreement-status")).to_have_text("Signed by one person")
    mentor.get_by_test_id("sign-agreement").click()

    # then both see it signed by both
    expect(mentor.get_by_test_id("agreement-status")).to_have_text("Signed by both")
    snap(mentor, "mentor-agreement-signed-by-both")
    mentee.reload()
    expect(mentee.get_by_test_id("agreement-status")).to_have_text("Signed by both")
    expect(mentee.locator("#agreement-signing")).not_to_contain_text("not signed yet")
    snap(mentee, "mentee-agreement-signed-by-both")

    # when the mentee sets a goal
    today = timezone.localdate()
    mentee.goto(f"{hub}goals/")
    # (with no goal yet, the form to add one is already open)
    expect(mentee.get_by_test_id("add-goal")).to_have_attribute("open", "")
    mentee.get_by_label("Outcome").fill(GOAL)
    mentee.get_by_label("Target date").fill((today + datetime.timedelta(days=90)).isoformat())
    mentee.get_by_label("How success will be measured").fill(MEASURE)
    snap(mentee, "mentee-goal-form")
    mentee.get_by_test_id("add-goal-submit").click()
    expect(mentee.get_by_role("heading", name=GOAL)).to_be_visible()
    goal = Goal.objects.get(relationship=pair, title=GOAL)

    # and breaks it into two milestones
    for number, title in enumerate(MILESTONES, start=1):
        form = mentee.get_by_test_id(f"add-milestone-{goal.pk}")
        form.get_by_label("Milestone").fill(title)
        form.get_by_label("Due date").fill(
            (today + datetime.timedelta(days=30 * number)).isoformat()
        )
        mentee.get_by_test_id(f"add-milestone-submit-{goal.pk}").click()
        expect(mentee.get_by_text(f"Milestone added: {title}.")).to_be_visible()
    card = mentee.get_by_test_id(f"goal-{goal.pk}")
    for title in MILESTONES:
        expect(card.get_by_label(title)).not_to_be_checked()
    snap(mentee, "mentee-goal-with-milestones")

    # then the mentor sees the goal and its milestones, which are the mentee's to tick off
    mentor.goto(f"{hub}goals/")
    card = mentor.get_by_test_id(f"goal-{goal.pk}")
    expect(card.get_by_role("heading", name=GOAL)).to_be_visible()
    for title in MILESTONES:
        expect(card.get_by_label(title)).to_be_disabled()
    snap(mentor, "mentor-goals")

    # when the mentor schedules their first meeting, in three days' time in their own zone
    mentor.goto(f"{hub}meetings/")
    mentor.get_by_label("Title").fill(MEETING)
    mentor.get_by_label("Date").fill((today + datetime.timedelta(days=3)).isoformat())
    mentor.get_by_label("Start time").fill("15:00")
    mentor.get_by_label("Video link (optional)").fill("https://meet.example.com/morgan-priya")
    snap(mentor, "mentor-meeting-form")
    mentor.get_by_test_id("schedule-meeting").click()
    expect(mentor.get_by_role("heading", name=MEETING)).to_be_visible()
    expect(mentor.get_by_text("you both have an invitation")).to_be_visible()
    meeting = Meeting.objects.get(relationship=pair, title=MEETING)
    meeting_url = f"{hub}meetings/{meeting.pk}/"
    assert mentor.url == meeting_url

    # and puts a question on its agenda
    mentor.get_by_label("Add a question or topic").fill(QUESTION)
    mentor.get_by_test_id("add-agenda-item").click()
    expect(mentor.get_by_test_id("agenda-items")).to_contain_text(QUESTION)
    expect(mentor.get_by_label("Add a question or topic")).to_have_value("")
    snap(mentor, "mentor-meeting-agenda")

    # then the mentee finds the meeting and the question ahead of time
    mentee.goto(f"{hub}meetings/")
    expect(mentee.get_by_test_id("upcoming-meetings")).to_contain_text(MEETING)
    expect(mentee.get_by_test_id("upcoming-meetings")).to_contain_text("1 on the agenda")
    snap(mentee, "mentee-meetings")
    mentee.get_by_role("link", name=MEETING).click()
    expect(mentee.get_by_test_id("agenda-items")).to_contain_text(QUESTION)
    expect(mentee.get_by_test_id("agenda-items")).to_contain_text("added by Morgan Reyes")
    snap(mentee, "mentee-meeting-before")

    # when the meeting takes place: time passes, which a test can only stand in for by moving
    # the meeting's start an hour into the past (a meeting cannot be recorded as held before
    # it starts)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    mentor.reload()
    mentor.get_by_test_id("mark-held").click()
    expect(mentor.get_by_text("Recorded as held. Each of you can now check in.")).to_be_visible()
    snap(mentor, "mentor-meeting-held")

    # and both check in, each with one thing to practise next
    for page, rating, practise, who in (
        (mentor, "4 — Very useful", MENTOR_PRACTISE, "mentor"),
        (mentee, "5 — Extremely useful", MENTEE_PRACTISE, "mentee"),
    ):
        page.goto(meeting_url)
        page.get_by_label(rating).check()
        page.get_by_label("One thing you will practise next").fill(practise)
        expect(page.get_by_label("Add it to our action items")).to_be_checked()
        snap(page, f"{who}-checkin-form")
        page.get_by_test_id("submit-checkin").click()
        expect(
            page.get_by_text("Thank you for checking in. Your action item is on the list.")
        ).to_be_visible()
        expect(page.locator("#checkin")).to_contain_text(f"Will practise: {practise}")
        snap(page, f"{who}-checked-in")

    # then the action items appear: on the meeting's agenda card and on the actions page
    assert set(ActionItem.objects.filter(relationship=pair).values_list("title", flat=True)) == {
        MENTOR_PRACTISE,
        MENTEE_PRACTISE,
    }
    mentee.reload()
    expect(mentee.get_by_test_id("open-actions")).to_contain_text(MENTEE_PRACTISE)
    expect(mentee.get_by_test_id("open-actions")).to_contain_text(MENTOR_PRACTISE)
    expect(mentee.locator("#checkin")).to_contain_text("Morgan Reyes: 4/5 useful")
    snap(mentee, "mentee-meeting-after")
    mentee.goto(f"{hub}actions/")
    open_actions = mentee.locator("section", has=mentee.locator("#open-actions-heading"))
    expect(open_actions).to_contain_text(MENTEE_PRACTISE)
    expect(open_actions).to_contain_text(MENTOR_PRACTISE)
    expect(mentee.locator("#open-actions-heading")).to_contain_text("2")
    snap(mentee, "mentee-actions")

    # when the mentee writes in her journal
    mentee.goto(f"{hub}journal/")
    mentee.get_by_test_id("journal-text").fill(SECRET)
    mentee.get_by_test_id("save-journal-entry").click()
    expect(mentee.get_by_text("Entry saved in your journal.")).to_be_visible()
    entry_card = mentee.get_by_test_id("journal-entry").filter(has_text=SECRET)
    expect(entry_card).to_be_visible()
    expect(entry_card).to_contain_text("Private")
    snap(mentee, "mentee-journal-entry")
    entry = JournalEntry.objects.get(relationship=pair, author__email=MENTEE)
    entry_api = f"{base}/api/v1/relationships/{pair.pk}/journal/{entry.pk}"
    # (the address is right: its author reads the entry there)
    mine = mentee.request.get(entry_api)
    assert (mine.status, mine.json()["text"]) == (200, SECRET)

    # then the mentor cannot open it: not on the journal page, not through the API
    mentor.goto(f"{hub}journal/")
    expect(mentor.get_by_role("heading", name="Shared with you")).to_be_visible()
    expect(
        mentor.get_by_text("Priya Sharma has not shared a journal entry with you.")
    ).to_be_visible()
    assert SECRET not in mentor.content()
    snap(mentor, "mentor-journal")
    theirs = mentor.request.get(entry_api)
    assert theirs.status == 404
    assert SECRET not in theirs.text()
    listed = mentor.request.get(f"{base}/api/v1/relationships/{pair.pk}/journal")
    assert listed.status == 200
    assert SECRET not in listed.text()

    # and the hub tells the story for both, with the open actions next
    for page, who in ((mentor, "mentor"), (mentee, "mentee")):
        page.goto(hub)
        timeline = page.get_by_test_id("timeline")
        # (what the reader did is told to them as "You")
        expect(timeline).to_contain_text(
            re.compile(r"(Morgan Reyes|You) and Priya Sharma signed the agreement", re.IGNORECASE)
        )
        expect(timeline).to_contain_text(f"set a goal: {GOAL}")
        expect(timeline).to_contain_text(f"scheduled “{MEETING}”")
        expect(timeline).to_contain_text(f"checked in after “{MEETING}”")
        whats_next = page.get_by_test_id("whats-next")
        expect(whats_next).to_contain_text(MENTOR_PRACTISE)
        expect(whats_next).to_contain_text(MENTEE_PRACTISE)
        expect(whats_next).not_to_contain_text("Sign the agreement")
        snap(page, f"{who}-hub-after")
    assert SECRET not in mentor.content()

    # and no page scrolled sideways at this width
    assert journey.overflowing == []
