"""Every desk page on a phone (390 px wide), as each role sees it: no page is wider than the screen (a wide table
scrolls inside its own box), and the inbox's actions are on the screen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.scan import run_scan
from programme_tracker.portfolio.models import Programme
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.models import Meeting
from tests.desk.conftest import log_in

WIDTH = 390


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    yield context.new_page()
    context.close()


def too_wide(phone, live_server, pages) -> dict:
    wide = {}
    for address in pages:
        phone.goto(live_server.url + address)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[address] = width
    return wide


@pytest.mark.django_db(transaction=True)
def test_no_desk_page_is_wider_than_a_phone(live_server, phone, accounts):
    load_demo(timezone.localdate())
    run_scan()
    log_in(phone, live_server, accounts[roles.COORDINATOR])
    programme = Programme.objects.get(code="STOP-IT-NOW")
    pages = [reverse(name) for name in ("desk:dashboard", "desk:ending", "desk:timeline", "desk:coverage",
                                        "desk:inbox", "desk:report", "desk:task-force", "desk:progress",
                                        "desk:saved-views", "finance-budget-against-actual", "finance-import")]
    pages += [reverse("desk:search") + "?q=stop", reverse("desk:timeline") + "?zoom=quarter"]
    pages += [reverse("desk:programme", args=[programme.pk]),
              reverse("desk:meeting", args=[Meeting.objects.get(status="planned").pk]),
              reverse("admin:portfolio_programme_changelist"),
              reverse("admin:portfolio_programme_change", args=[programme.pk]),
              reverse("admin:continuity_alert_changelist")]
    assert too_wide(phone, live_server, pages) == {}


@pytest.mark.django_db(transaction=True)
def test_the_inbox_actions_are_on_a_phone_s_screen(live_server, phone, accounts):
    load_demo(timezone.localdate())
    run_scan()
    log_in(phone, live_server, accounts[roles.COORDINATOR])
    phone.goto(live_server.url + reverse("desk:inbox"))
    button = phone.locator("button[id^=acknowledge-]").first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
