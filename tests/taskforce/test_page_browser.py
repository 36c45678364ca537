"""The task-force page in Chromium, as the secretary sees it on the demo (and its screenshot for the guide)."""

import pytest
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from tests.desk.conftest import log_in, save_screenshot


@pytest.mark.django_db(transaction=True)
def test_the_secretary_sees_the_next_meeting_the_late_action_and_the_decisions(live_server, page, accounts):
    load_demo(timezone.localdate())
    run_scan()
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/task-force/")
    assert page.get_by_role("heading", name="Next meeting").is_visible()
    assert page.locator("#next-agenda li").count() == 2  # the opening and any other business, before proposals
    late = page.locator("li.desk-late")
    assert late.count() == 1 and "Ask VWS in writing" in late.inner_text()
    assert page.locator("#latest-decisions tbody tr").count() == 2
    save_screenshot(page, "task-force")
