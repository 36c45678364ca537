"""The task force's pages on a phone (390 px wide): no page is wider than the screen; wide tables scroll inside
their own box."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.models import Decision, Meeting
from tests.desk.conftest import log_in


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_no_task_force_page_is_wider_than_a_phone(live_server, phone, accounts):
    load_demo(timezone.localdate())
    run_scan()
    log_in(phone, live_server, accounts[roles.COORDINATOR])
    pages = [reverse("desk:task-force"), reverse("admin:taskforce_decision_add"),
             reverse("admin:taskforce_decision_change", args=[Decision.objects.first().pk]),
             reverse("admin:taskforce_meeting_change", args=[Meeting.objects.filter(status="planned").get().pk]),
             reverse("admin:taskforce_actionitem_changelist")]
    wide = {}
    for address in pages:
        phone.goto(live_server.url + address)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[address] = width
    assert not wide, wide
