"""The users' questions (issue 15), each answered in a real browser the way a person finds it: from the page they
land on after logging in, following only visible links, within the stated number of clicks, in names and amounts.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.formats import date_format

from programme_tracker.accounts import roles
from programme_tracker.accounts.models import DeskVisit
from programme_tracker.continuity import services as alert_services
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.desk.snapshot import snapshot
from programme_tracker.finance.models import Expenditure
from programme_tracker.portfolio.models import FundingPeriod, Programme
from tests.builders import PASSWORD
from tests.desk.conftest import log_in

pytestmark = pytest.mark.browser


def landed(page):
    """The page a person lands on after logging in is the dashboard."""
    assert page.url.endswith("/desk/dashboard/"), page.url


def test_coordinator_which_programmes_lose_funding_next_how_much_who_and_what_is_on_its_way(
        live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    landed(page)
    # On the dashboard itself: the programmes ending soonest with amount, owner, lead ministry and what is on its way.
    row = page.locator("#ending-soonest tr:has-text('STOP-IT-NOW')")
    text = " ".join(row.inner_text().split())
    stop_it_now = Programme.objects.get(code="STOP-IT-NOW")
    assert date_format(snapshot(demo).until(stop_it_now.pk)) in text
    assert "950,000.00" in text and "Anna Jansen" in text and "VWS" in text and "TF-2026-001" in text
    # One click on the cliff's table (the keyboard's way to a bar): that quarter's programmes.
    page.click("#figure-funding-cliff summary")
    page.locator("#table-funding-cliff a").first.click()
    page.wait_for_url("**/desk/funding-ending/?quarter=*")
    assert page.locator("table tr:has-text('LOW-RISK-PILOT')").count() == 1


def test_coordinator_which_recommendations_are_at_risk_and_why(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    landed(page)
    page.click("nav >> text=Coverage matrix")  # 1
    page.click("a:has-text('at risk')")  # 2
    page.wait_for_url("**/desk/coverage/?*coverage=at_risk*")
    reason = " ".join(page.locator("#rec-PREV-3 td.cov-reason").inner_text().split())
    until = date_format(snapshot(demo).until(Programme.objects.get(code="STOP-IT-NOW").pk))
    assert reason == f"at risk Only STOP-IT-NOW covers it, secured up to and including {until}."
    assert page.locator("#rec-POL-1").count() == 0  # only those at risk


def test_finance_officer_where_is_money_going_over_plan(live_server, page, accounts, demo):
    period = FundingPeriod.objects.get(code="STOP-IT-NOW-2025")
    today = timezone.localdate()
    Expenditure.objects.create(funding_period=period, organisation=period.funder, category="activities",
                               period_start=today - timedelta(days=30), period_end=today - timedelta(days=1),
                               amount=Decimal("600000.00"))
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    landed(page)
    page.click("nav >> text=Budget against actual")  # 1
    row = page.locator("#spending-projection tr:has-text('STOP-IT-NOW-2025')")
    assert row.get_attribute("class") == "over"  # highlighted
    assert "910,000.00" in row.inner_text() and "%" in row.inner_text()
    assert row.evaluate("el => getComputedStyle(el.querySelector('td')).backgroundColor") == "rgb(254, 242, 242)"


def test_monitor_what_changed_since_i_last_looked(live_server, page, accounts, demo):
    monitor, coordinator = accounts[roles.MONITOR], accounts[roles.COORDINATOR]
    three_days_ago = timezone.now() - timedelta(days=3)
    Alert.objects.update(opened_at=three_days_ago)  # the demo's alerts, and what happened to them, are older
    AlertEvent.objects.update(at=three_days_ago)
    DeskVisit.objects.create(user=monitor, at=timezone.now() - timedelta(days=2))
    changed = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    alert_services.acknowledge(changed.pk, actor=coordinator)
    log_in(page, live_server, monitor)
    landed(page)
    line = " ".join(page.locator("#since-last-visit").inner_text().split())
    assert "0 new alerts, 1 changed" in line
    page.click("#since-last-visit a")  # 1
    page.wait_for_url("**/desk/inbox/?*recent=1*")  # a click only waits for the next page to start loading
    rows = page.locator("#alert-inbox tbody tr[id^='alert-']")
    assert rows.count() == 1 and "POL-1" in rows.first.inner_text() and "changed" in rows.first.inner_text()


def test_owner_what_do_i_have_to_do_by_when(live_server, page, accounts, demo):
    owner = get_user_model().objects.get(username="a.jansen")
    owner.set_password(PASSWORD)
    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=roles.COORDINATOR))
    log_in(page, live_server, owner)
    landed(page)
    page.click("nav >> text=Alert inbox")  # 1
    first = page.locator("#alert-inbox tbody tr[id^='alert-']").first
    text = first.inner_text()
    assert "Critical" in text and "STOP-IT-NOW" in text  # mine, the most severe first
    assert page.locator("#inbox-mine").count() == 1 and page.locator("#inbox-others").count() == 1
    mine = Alert.objects.filter(programme__owner=owner, state__in=["open", "acknowledged"]).count()
    rows = page.locator("#alert-inbox tbody tr[id^='alert-']")
    severities = [rows.nth(i).locator(".desk-severity").inner_text() for i in range(mine)]
    order = {"Critical": 0, "Warning": 1, "Info": 2}
    assert [order[s] for s in severities] == sorted(order[s] for s in severities)
    assert all(date_format(alert.key_date) in page.locator(f"#alert-{alert.pk}").inner_text()
               for alert in Alert.objects.filter(programme__owner=owner, state="open", key_date__isnull=False))
