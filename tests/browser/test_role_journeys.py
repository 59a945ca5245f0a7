"""Every role's journey through the pages it uses, on a phone (375 px) and a laptop (1280 px).

On every page: no server error, no sideways pan (the page is no wider than the window, which is
the device's own width: a page without a viewport meta is laid out at 980 px and zoomed out), a
`lang` and a viewport meta, nothing refused by the Content-Security-Policy, and axe-core finds no
WCAG 2.0/2.1 A or AA violation. Seen broken before: participants and relationships tables
widened the page to ~900 px at 375 px; the API docs had no viewport meta and no `lang`; unread
notifications and "Remove" buttons failed colour contrast; "Mark read" buttons were named
differently from their visible label.

Adding a page is one line in the role's list below."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.matching.models import RunStatus
from tandem.matching.tests.factories import MatchProposalFactory, MatchRunFactory
from tandem.meetings.services import meeting_schedule
from tandem.notifications.tests.factories import NotificationFactory
from tests.browser.fixtures import axe_violations, sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": (1280, 800), "phone": (375, 812)}
# Lists whose table fits the phone without scrolling sideways inside its wrapper (the columns a
# phone has no room for are folded into the row's heading).
FITS_WITHOUT_SCROLLING = {"/programs/"}
PAIR_PAGES = [
    "/",
    "/programs/{program}/",
    "/relationships/{relationship}/",
    "/relationships/{relationship}/meetings/",
    "/relationships/{relationship}/meetings/{meeting}/",
    "/relationships/{relationship}/meetings/{meeting}/edit/",
    "/relationships/{relationship}/meetings/{meeting}/mode/",
    "/relationships/{relationship}/goals/",
    "/relationships/{relationship}/actions/",
    "/relationships/{relationship}/journal/",
    "/relationships/{relationship}/messages/",
    "/relationships/{relationship}/feedback/",
    "/relationships/{relationship}/journey/",
    "/relationships/{relationship}/agreement/",
    "/resources/",
    "/surveys/",
    "/notifications/",
    "/notifications/preferences/",
    "/calendar/",
    "/people/me/",
    "/people/me/developer/",
    "/me/data/",
    "/api/v1/docs",
]
MANAGER_PAGES = [
    "/",
    "/notifications/",
    "/programs/",
    "/programs/{program}/",
    "/programs/{program}/edit/",
    "/programs/{program}/form/",
    "/programs/{program}/participants/",
    "/programs/{program}/relationships/",
    "/programs/{program}/health/",
    "/programs/{program}/journey/",
    "/programs/{program}/resources/",
    "/programs/{program}/surveys/",
    "/programs/{program}/surveys/new/",
    "/programs/{program}/matching/",
    "/matching/runs/{run}/",
    "/programs/{program}/nudges/",
    "/programs/{program}/analytics/",
    "/relationships/{relationship}/health/",
    "/people/{mentee}/",
    "/people/me/",
    "/api/v1/docs",
]
ADMIN_PAGES = [
    *MANAGER_PAGES,
    "/analytics/",
    "/outcomes/",
    "/people/",
    "/people/skills/",
    "/accounts/members/",
    "/accounts/organization/",
    "/organization/sso/",
    "/organization/webhooks/",
    "/provisioning/scim-tokens/",
    "/audit/",
    "/audit/settings/",
]
MEMBER_PAGES = [
    "/",
    "/programs/{program}/",
    "/surveys/",
    "/notifications/",
    "/people/me/",
    "/api/v1/docs",
]
ROLES = {
    "mentee": PAIR_PAGES,
    "mentor": PAIR_PAGES,
    "manager": MANAGER_PAGES,
    "admin": ADMIN_PAGES,
    "member": MEMBER_PAGES,
}
# A date input shows "13/12/2026" and the picker's button in about 140 px.
MEASURE = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    lang: document.documentElement.getAttribute("lang") || "",
    viewport: !!document.querySelector('meta[name="viewport"][content*="width=device-width"]'),
    narrowInputs: [...document.querySelectorAll(
        'input[type="date"], input[type="time"], input[type="datetime-local"]'
    )].filter((input) => input.offsetParent !== null)
      .filter((input) => input.getBoundingClientRect().width < MIN_INPUT)
      .map((input) => `${input.name} ${Math.round(input.getBoundingClientRect().width)} px`),
    scrollingTables: [...document.querySelectorAll(".table-responsive")]
      .filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth).length,
})""".replace("MIN_INPUT", str(140))


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_fits_and_is_accessible(
    live_server, browser: Browser, pair, shoot, role, viewport
):
    # given the pair's next meeting with an agenda, a private journal entry of each of the pair,
    # an unread and a read notification for everyone, and a draft matching run with a pinned
    # pair (so the pages draw their tinted rows and the buttons on them)
    meeting = meeting_schedule(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="Second session",
        date=timezone.localdate() + datetime.timedelta(days=2),
        time=datetime.time(15, 0),
        timezone_name="Europe/London",
        agenda=["How did the planning session go?"],
    )
    for author in (pair.mentor, pair.mentee):
        JournalEntryFactory(author=author, relationship=pair.relationship)
    run = MatchRunFactory(program=pair.cast.program, status=RunStatus.DRAFT)
    MatchProposalFactory(
        run=run,
        mentor=pair.cast.mentor_participant,
        mentee=pair.cast.mentee_participant,
        is_pinned=True,
    )
    MatchProposalFactory(
        run=run,
        mentor=pair.other_relationship.mentor,
        mentee=pair.other_relationship.mentee,
    )
    user = pair.by_name(role)
    NotificationFactory(user=user, title="Your next session is on Thursday")
    NotificationFactory(user=user, title="A goal was updated", read_at=timezone.now())
    ids = {
        "program": pair.cast.program.pk,
        "relationship": pair.relationship.pk,
        "meeting": meeting.pk,
        "run": run.pk,
        "mentee": pair.mentee.pk,
    }
    width, height = VIEWPORTS[viewport]
    phone = width < 576
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    refused = watch_csp(page)
    sign_in(page, live_server.url, user.email, DEFAULT_PASSWORD)
    # when each of the role's pages is opened
    problems = []
    for pattern in ROLES[role]:
        path = pattern.format(**ids)
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        # then it answers (a 4xx here means the list names a page the role does not use)
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        page.wait_for_load_state("load")
        measured = page.evaluate(MEASURE)
        # and it is no wider than the window, which is the device's own width
        if measured["scrollWidth"] > measured["innerWidth"] or measured["innerWidth"] != width:
            problems.append(f"{path}: {measured['scrollWidth']} px in {measured['innerWidth']}")
            shoot(page, path.strip("/").replace("/", "-") or "home")
        if pattern in FITS_WITHOUT_SCROLLING and measured["scrollingTables"]:
            problems.append(f"{path}: a table scrolls sideways")
        # and its date and time inputs are wide enough to show a whole value and the picker
        if measured["narrowInputs"]:
            problems.append(f"{path}: narrow inputs {measured['narrowInputs']}")
        if not measured["viewport"] or not measured["lang"]:
            problems.append(
                f"{path}: viewport meta {measured['viewport']}, lang {measured['lang']!r}"
            )
        # and axe-core finds no WCAG 2.0/2.1 A or AA violation on it
        problems.extend(axe_violations(page))
    shoot(page, "last")
    context.close()
    assert problems == [], "\n".join(problems)
    assert refused == [], "\n".join(refused)
