"""A manager's Pair health journey in a real browser: the list, a row's reasons, a nudge, the
pair's history with a note (each step saves a screenshot)."""

import pytest

from tandem.accounts.tests.factories import DEFAULT_PASSWORD
from tandem.health.models import HealthNote
from tandem.health.services import health_refresh
from tandem.health.tests.helpers import make_quiet
from tandem.notifications.models import OutboxMessage
from tests.browser.fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_the_pair_at_risk_nudges_it_and_notes_why(live_server, page, pair, shoot):
    # given: one pair quiet for 50 days, scored
    manager = pair.cast.manager
    manager.set_password(DEFAULT_PASSWORD)
    manager.save(update_fields=["password"])
    make_quiet(pair.relationship)
    health_refresh()
    base = live_server.url
    sign_in(page, base, manager.email, DEFAULT_PASSWORD)

    # when: the manager opens Pair health from the programme and filters the pairs at risk
    page.goto(f"{base}/programs/{pair.cast.program.pk}/")
    page.get_by_role("link", name="Pair health").click()
    page.get_by_role("link", name="At risk 1").click()
    page.get_by_text("Components").first.click()
    shoot(page, "pair-health-at-risk")
    # then: one row, its reasons shown
    rows = page.locator("[data-testid=health-table] tbody tr")
    assert rows.count() == 1
    assert "nothing on the timeline for" in rows.first.inner_text()

    # when: they nudge the pair
    page.get_by_role("button", name="Nudge the pair").click()
    page.wait_for_load_state("networkidle")
    shoot(page, "pair-nudged")
    # then
    assert OutboxMessage.objects.filter(rule="health_nudge").count() == 2

    # when: they open the pair's history and write a note
    page.get_by_role("link", name="History & note").first.click()
    page.get_by_label("Private note (your programme's managers only)").fill("Call on Monday")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_load_state("networkidle")
    shoot(page, "pair-history-note")
    # then
    assert list(HealthNote.objects.values_list("text", flat=True)) == ["Call on Monday"]
    assert page.locator("[data-testid=health-history] tbody tr").count() == 1
