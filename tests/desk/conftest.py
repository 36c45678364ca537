"""Desk fixtures: the demo portfolio with its alerts, and a real browser (Debian's Chromium driven by Playwright).

Browser tests are skipped with a message on a machine without Chromium; under CI (CI=true) a missing Chromium is
a failure.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from tests.builders import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# The screenshots in docs/ are taken only when asked: `make screenshots` sets PT_SCREENSHOTS=docs/screenshots (a folder,
# relative to the repository). An ordinary test run takes none, so it leaves the tracked images alone.
SCREENSHOTS = os.environ.get("PT_SCREENSHOTS", "")


def save_screenshot(page, name: str) -> None:
    """Save a full-page screenshot of the page as `name`.png in the PT_SCREENSHOTS folder, if one is set."""
    if not SCREENSHOTS:
        return
    folder = ROOT / SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def demo(accounts):
    """The demo portfolio, relative to today, scanned: every kind of alert is open but overspend, decision-needed
    and task-force-not-meeting."""
    today = timezone.localdate()
    load_demo(today)
    run_scan(today)
    return today


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    yield context.new_page()
    context.close()


def choose(page, field_id, text):
    """Pick `text` in an autocomplete (select2) field the way a person does: open, type, click the match."""
    page.click(f"#{field_id} ~ .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-container--open .select2-results__option:has-text('{text}')")


def log_in(page, live_server, user):
    """Log in through the desk's login page."""
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


