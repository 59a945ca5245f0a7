"""The accessibility check itself: it names every violation (rule, impact, element, page), it
runs under the production Content-Security-Policy without weakening it, and the signed-out
pages pass it."""

import pytest
from playwright.sync_api import Page

from tests.browser.fixtures import assert_accessible, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """<!doctype html><html><head><title>Broken</title></head><body><main>
<h1>Broken on purpose</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#0d6efd;background:#cfe2ff">Unread notification in link blue</p>
<button type="button" aria-label="Mark this notification as read">Mark read</button>
</main></body></html>"""


def test_the_check_names_each_violation_with_its_rule_element_and_page(page: Page):
    # given a page with a missing lang, an image without text, low contrast and a button whose
    # name differs from its visible label
    page.set_content(BROKEN)
    # when the check runs
    violations = axe_violations(page)
    # then each is listed with its rule, impact and target element
    rules = {line.split(" ", 1)[0] for line in violations}
    assert rules == {
        "html-has-lang",
        "image-alt",
        "color-contrast",
        "label-content-name-mismatch",
    }
    assert any(line.startswith("image-alt (critical) img on ") for line in violations)
    assert any("button" in line for line in violations if "label-content" in line)
    # and the failure message carries them all
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "broken")
    assert all(line in str(failure.value) for line in violations)


SIGNED_OUT_PAGES = ["/accounts/login/", "/accounts/password-reset/", "/accounts/sign-in-link/"]


@pytest.mark.parametrize("path", SIGNED_OUT_PAGES)
def test_signed_out_pages_pass_under_the_production_policy(live_server, page: Page, path):
    # given a signed-out page served with the production Content-Security-Policy
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None
    assert response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    assert "'unsafe-eval'" not in policy
    # when axe-core is injected and run, then it runs (the policy refuses nothing, which the
    # `page` fixture checks) and finds no WCAG 2.0/2.1 A or AA violation
    assert_accessible(page, path)
    assert page.evaluate("() => typeof window.axe.run") == "function"
