"""Playwright driving Debian's chromium (never a browser a tool downloads) against live_server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Debian's chromium is not installed: run `make browser` (apt-get install chromium)."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def watch_csp(page: Page) -> list[str]:
    """Chromium's console reports of what the Content-Security-Policy refused (an inline script,
    handler or style element, a foreign source): the list a fixture checks is empty at the end,
    so every browser test also proves its pages work under the policy."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    refused = watch_csp(new_page)
    yield new_page
    context.close()
    assert refused == [], "The Content-Security-Policy refused something on the page"


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    refused = watch_csp(new_page)
    yield new_page
    context.close()
    assert refused == [], "The Content-Security-Policy refused something on the page"


@pytest.fixture
def shoot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """`shoot(page, "step-name")` saves a full-page screenshot named after the test and step."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page: Page, step: str) -> Path:
        counter["n"] += 1
        path = ARTIFACTS / f"{request.node.name}-{counter['n']:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


# The WCAG 2.0 and 2.1 success criteria of levels A and AA: the bar the issue sets.
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core keeps these WCAG 2.1 A rules off by default as "experimental"; switched on because a
# control whose accessible name differs from its visible label (2.5.3 Label in Name) is a bug
# we had: speech users say what they see ("click Mark read").
EXPERIMENTAL_WCAG_RULES = ["label-content-name-mismatch"]


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it stands, one line per
    element: rule, impact, target selector, the page's URL and axe's own summary.

    axe-core is the copy axe-playwright-python bundles (no download at run time). It goes in
    through `page.evaluate`, which Playwright sends over the DevTools protocol: that evaluation
    is not subject to the page's Content-Security-Policy, so the production policy stays as it
    is and `watch_csp` still sees only what the page itself tried."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "([tags, extra]) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: Object.fromEntries(extra.map((rule) => [rule, {enabled: true}])),"
        " resultTypes: ['violations']})",
        [WCAG_A_AA, EXPERIMENTAL_WCAG_RULES],
    )
    return [
        f"{violation['id']} ({violation['impact']}) {' '.join(map(str, node['target']))}"
        f" on {page.url}: {' '.join((node.get('failureSummary') or '').split())}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


def assert_accessible(page: Page, context: str = "") -> None:
    """Fail listing every WCAG 2.0/2.1 A and AA violation axe-core finds on the page."""
    violations = axe_violations(page)
    assert violations == [], f"{context} {page.url}: accessibility violations:\n" + "\n".join(
        violations
    )
