"""The desk in a real browser (Debian's Chromium driven by Playwright): a coordinator registers a programme.

Skipped with a message on a machine without Chromium; under CI (CI=true) a missing Chromium is a failure.
"""

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import Programme
from tests.desk.conftest import choose, log_in


def test_coordinator_registers_a_programme_with_two_funding_periods(live_server, page, accounts):
    coordinator = accounts[roles.COORDINATOR]
    log_in(page, live_server, coordinator)

    page.goto(f"{live_server.url}/desk/portfolio/programme/add/")
    page.fill("#id_code", "HELPLINE-X")
    page.fill("#id_name", "Helpline X")
    page.select_option("#id_area", "prevention")
    page.select_option("#id_status", "active")
    choose(page, "id_lead_ministry", "VWS")
    page.select_option("#id_owner", label=coordinator.username)
    for i, (start, end, amount) in enumerate([("2026-01-01", "2026-12-31", "100000.00"),
                                              ("2027-01-01", "2027-12-31", "120000.00")]):
        page.click("text=Add another Funding period")
        choose(page, f"id_funding_periods-{i}-funder", "VWS")
        page.select_option(f"#id_funding_periods-{i}-instrument", "subsidy")
        page.fill(f"#id_funding_periods-{i}-amount", amount)
        page.select_option(f"#id_funding_periods-{i}-status", "committed")
        page.fill(f"#id_funding_periods-{i}-start", start)
        page.fill(f"#id_funding_periods-{i}-end", end)
    page.click("text=Add another Recommendation implemented")
    choose(page, "id_recommendation_links-0-recommendation", "PREV-3")
    page.fill("#id_recommendation_links-0-note", "Runs the helpline")
    page.click("button[name=_continue]")
    page.wait_for_url("**/change/")
    assert "was added successfully" in page.inner_text("body")

    programme = Programme.objects.get(code="HELPLINE-X")
    assert programme.owner == coordinator and programme.lead_ministry.short_name == "VWS"
    assert list(programme.funding_periods.values_list("code", flat=True)) == ["HELPLINE-X-2026", "HELPLINE-X-2027"]
    assert list(programme.recommendations.values_list("code", flat=True)) == ["PREV-3"]

    page.fill("#id_name", "Helpline X (national)")
    page.click("button[name=_continue]")
    page.wait_for_load_state()
    page.goto(page.url.replace("/change/", "/history/"))
    history = page.inner_text("#change-history, table")
    assert "Helpline X (national)" in history and coordinator.username in history


def test_finance_officer_extends_funding_and_the_alert_resolves_on_save(live_server, page, accounts):
    from django.utils import timezone

    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan
    from programme_tracker.setup.demo import load_demo

    today = timezone.localdate()
    load_demo(today)
    run_scan()
    alert = Alert.objects.get(rule="funding-expiring", programme__code="STOP-IT-NOW", state="open")
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])

    page.goto(f"{live_server.url}/desk/continuity/alert/?rule=funding-expiring")
    assert "STOP-IT-NOW" in page.inner_text("body")
    page.goto(f"{live_server.url}/desk/portfolio/programme/{alert.programme_id}/change/")
    assert "Secured funding ends on" in page.inner_text("body")

    page.goto(f"{live_server.url}/desk/portfolio/fundingperiod/?q=STOP-IT-NOW-2025")
    page.click("text=STOP-IT-NOW-2025")
    page.fill("#id_end", (today + timezone.timedelta(days=400)).isoformat())
    page.click("button[name=_save]")
    page.wait_for_load_state()
    assert "was changed successfully" in page.inner_text("body"), page.inner_text("body")[:3000]
    alert.refresh_from_db()
    assert alert.state == "resolved"
    page.goto(f"{live_server.url}/desk/portfolio/programme/{alert.programme_id}/change/")
    assert "Secured funding ends on" not in page.inner_text("body")


def test_a_refused_save_brings_the_row_with_the_error_into_view(live_server, page, accounts, programme):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/portfolio/programme/{programme.pk}/change/")
    page.select_option("#id_funding_periods-0-renewal_decision", "renewed")  # without its date
    page.click("button[name=_continue]")
    page.wait_for_load_state()

    field = page.locator("#id_funding_periods-0-renewal_decision_date")
    assert "Give the date of the renewal decision." in page.inner_text("body")
    assert field.evaluate("element => element === document.activeElement")
    box, viewport = field.bounding_box(), page.viewport_size  # its middle on the screen
    assert 0 <= box["x"] + box["width"] / 2 <= viewport["width"]
    assert 0 <= box["y"] + box["height"] / 2 <= viewport["height"]
