"""Meeting mode with no signal, in Debian's chromium: the service worker keeps the page, an
action captured offline waits on the phone and is saved once when the signal returns, notes
edited offline meet the partner's newer notes as a conflict shown with both texts, and
signing out leaves no kept page behind."""

import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.actions.models import ActionItem
from tandem.meetings.models import Meeting
from tandem.meetings.services import meeting_notes_update
from tandem.meetings.tests.factories import schedule
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = """async () => {
  if (!navigator.serviceWorker.controller) return false;
  for (const name of await caches.keys()) {
    if (!name.startsWith("tandem-pages-")) continue;
    const cache = await caches.open(name);
    if (await cache.match(location.href, { ignoreVary: true })) return true;
  }
  return false;
}"""
NONE_KEPT = """async () =>
  (await caches.keys()).every((name) => !name.startsWith("tandem-pages-"))"""


def _poll(page, script, attempts=150):
    """Evaluates `script` until it is truthy (the worker installs and caches in the background)."""
    for _ in range(attempts):
        result = page.evaluate(script)
        if result:
            return result
        page.wait_for_timeout(100)
    return page.evaluate(script)


def test_an_action_captured_offline_is_saved_once_when_the_signal_returns(
    live_server, phone_page, pair, shoot
):
    # given the mentor opened meeting mode on their phone while online
    pair.mentor.set_password(DEFAULT_PASSWORD)
    pair.mentor.save(update_fields=["password"])
    meeting = schedule(pair.relationship, pair.mentor)
    base = live_server.url
    mode = f"{base}/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/mode/"
    sign_in(phone_page, base, pair.mentor.email, DEFAULT_PASSWORD)
    phone_page.goto(mode)
    assert _poll(phone_page, KEPT) is True

    # when the signal goes and they open meeting mode again
    phone_page.context.set_offline(True)
    phone_page.goto(mode)
    assert phone_page.evaluate("navigator.onLine") is False
    phone_page.get_by_role("heading", name="Actions to practise").wait_for()
    # and capture an action
    phone_page.get_by_label("Someone will practise…").fill("Ask for feedback on Friday")
    phone_page.get_by_test_id("capture-action").click()
    # then it waits on the phone, and nothing reached the server
    waiting = phone_page.locator("[data-pending-capture]")
    waiting.wait_for()
    assert waiting.inner_text() == "Ask for feedback on Friday waiting to sync"
    assert ActionItem.objects.count() == 0
    # and notes typed offline wait too, while the mentee saves theirs from the office
    phone_page.locator("#mode-notes").fill("Mentor (offline): we agreed on a plan")
    phone_page.get_by_role("button", name="Save notes").click()
    phone_page.get_by_text("Your notes are kept on this device, waiting to sync.").wait_for()
    meeting_notes_update(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        meeting_id=meeting.pk,
        notes="Mentee (online): I will draft the plan",
        base_version=0,
    )
    shoot(phone_page, "offline-waiting")

    # when the signal returns
    phone_page.context.set_offline(False)
    # then the action is saved, once, under the key the phone gave it
    phone_page.locator("[data-pending-capture]").first.wait_for(state="detached")
    phone_page.locator("#actions-section li", has_text="Ask for feedback on Friday").wait_for()
    item = ActionItem.objects.get()
    assert (item.title, item.owner_id, item.created_by_id) == (
        "Ask for feedback on Friday",
        pair.mentor.pk,
        pair.mentor.pk,
    )
    assert item.client_key is not None
    # and the notes conflict is shown with both texts; the mentee's were not overwritten
    conflict = phone_page.get_by_test_id("notes-conflict")
    conflict.wait_for()
    assert phone_page.get_by_test_id("notes-current").inner_text() == (
        "Mentee (online): I will draft the plan"
    )
    assert phone_page.locator("#mode-notes").input_value() == (
        "Mentor (offline): we agreed on a plan"
    )
    assert Meeting.objects.get(pk=meeting.pk).notes == "Mentee (online): I will draft the plan"
    shoot(phone_page, "synced-with-conflict")

    # when the page is opened again online, nothing is sent twice
    phone_page.goto(mode)
    phone_page.get_by_role("heading", name="Actions to practise").wait_for()
    assert phone_page.locator("[data-pending-capture]").count() == 0
    assert ActionItem.objects.count() == 1

    # when they sign out, no page of theirs stays on the phone
    phone_page.get_by_role("button", name="Show navigation").click()
    phone_page.get_by_role("button", name="Sign out").click()
    phone_page.wait_for_url(f"{base}/accounts/login/")
    assert _poll(phone_page, NONE_KEPT) is True
