"""No page pans sideways: the main pages of every role, on a phone (375 px) and a laptop
(1280 px), are no wider than the window, have a viewport meta and a language. Seen broken:
participants and relationships tables widened the page to ~900 px at 375 px (a visually-hidden
header escaped the responsive wrapper), and the API docs had no viewport meta and no `lang`."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.meetings.services import meeting_schedule
from tests.browser.fixtures import sign_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]
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
    "/notifications/",
    "/notifications/preferences/",
    "/calendar/",
    "/people/me/",
    "/api/v1/docs",
]
MANAGER_PAGES = [
    "/",
    "/programs/",
    "/programs/{program}/",
    "/programs/{program}/edit/",
    "/programs/{program}/participants/",
    "/programs/{program}/relationships/",
    "/programs/{program}/health/",
    "/programs/{program}/journey/",
    "/programs/{program}/resources/",
    "/programs/{program}/surveys/",
    "/programs/{program}/matching/",
    "/programs/{program}/nudges/",
]
ADMIN_PAGES = [
    *MANAGER_PAGES,
    "/people/",
    "/accounts/members/",
    "/accounts/organization/",
]
MEMBER_PAGES = ["/", "/programs/{program}/", "/people/me/", "/api/v1/docs"]
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


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_is_wider_than_the_window(live_server, browser: Browser, pair, shoot, role, width):
    # given the pair's next meeting, and the role signed in at this width
    meeting = meeting_schedule(
        actor=pair.mentor,
        relationship_id=pair.relationship.pk,
        title="Second session",
        date=timezone.localdate() + datetime.timedelta(days=2),
        time=datetime.time(15, 0),
        timezone_name="Europe/London",
        agenda=["How did the planning session go?"],
    )
    ids = {
        "program": pair.cast.program.pk,
        "relationship": pair.relationship.pk,
        "meeting": meeting.pk,
    }
    phone = width < 576
    context = browser.new_context(
        viewport={"width": width, "height": 812 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    refused = watch_csp(page)
    sign_in(page, live_server.url, pair.by_name(role).email, DEFAULT_PASSWORD)
    # when each of the role's main pages is opened
    problems = []
    for pattern in ROLES[role]:
        path = pattern.format(**ids)
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, f"{role} {path}: {response.status}"
        page.wait_for_load_state("load")
        measured = page.evaluate(MEASURE)
        # then it is no wider than the window (which is the device's own width: a page without
        # a viewport meta is laid out at 980 px and zoomed out on a phone)
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
    shoot(page, "last")
    context.close()
    assert problems == []
    assert refused == []
