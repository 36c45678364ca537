"""The desk pages in a real browser on the demo portfolio: each role sees what it may, the charts are drawn, the
timeline marks the known gap and clicks through, the matrix colours POL-1 uncovered, the inbox acknowledges in
place (also from the keyboard), and the language switch shows Dutch. With PT_SCREENSHOTS set (`make screenshots`),
saves a screenshot of each page there for the README."""

import pytest

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Programme
from tests.desk.conftest import log_in, save_screenshot

CHARTS = ["programmes-by-area", "money-by-ministry", "funding-cliff", "recommendation-coverage", "alerts-by-severity"]


def drawn(page, canvas_id):
    """Wait until desk.js has drawn the chart on this canvas."""
    page.wait_for_selector(f"canvas#{canvas_id}[data-drawn='true']", state="attached")


def unlabelled_controls(page):
    """The visible form controls on the page that have no label (a screen reader could not name them)."""
    return page.evaluate("""() => [...document.querySelectorAll(
            '#desk-page select, #desk-page input, #desk-page button')]
        .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.textContent.trim())
        .map(el => el.outerHTML)""")


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR])
def test_each_role_sees_the_dashboard_with_its_charts_drawn(live_server, page, accounts, demo, role):
    log_in(page, live_server, accounts[role])
    page.goto(f"{live_server.url}/desk/dashboard/")
    for chart in CHARTS:
        drawn(page, chart)
    sidebar = page.locator("#nav-sidebar-inner").inner_text()
    for link in ("Funding timeline", "Coverage matrix", "Alert inbox", "Monitoring report", "Budget against actual"):
        assert link in sidebar
    page.click("#figure-funding-cliff summary")  # the chart's table alternative
    assert page.locator("#table-funding-cliff tbody tr").count() == 8
    assert unlabelled_controls(page) == []
    if role == roles.COORDINATOR:
        save_screenshot(page, "dashboard")
    page.goto(f"{live_server.url}/desk/inbox/")
    acknowledge_buttons = page.locator("button:has-text('Acknowledge')").count()
    assert (acknowledge_buttons > 0) == (role != roles.MONITOR)  # monitors read alerts, they do not act on them


def test_staff_without_a_role_see_no_desk_page(live_server, page, demo):
    from django.contrib.auth import get_user_model

    from tests.builders import PASSWORD

    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD, is_staff=True)
    log_in(page, live_server, nobody)
    response = page.goto(f"{live_server.url}/desk/dashboard/")
    assert response.status == 403
    page.goto(f"{live_server.url}/desk/")
    assert "Funding timeline" not in page.locator("body").inner_text()


def test_the_timeline_marks_the_gap_and_a_click_opens_the_programme(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.MONITOR])
    page.goto(f"{live_server.url}/desk/timeline/")
    drawn(page, "timeline")
    gap_rows = page.evaluate("() => document.getElementById('timeline').chart.data.datasets"
                             ".find(d => d.kind === 'gap').data.map(p => p.y)")
    assert gap_rows == ["REPORT-BUTTON"]
    page.click("#timeline-table-toggle summary")
    gap_text = page.locator("#timeline-table tr:has-text('REPORT-BUTTON') [data-kind='gap']").inner_text()
    assert gap_text.startswith("gap:")
    save_screenshot(page, "timeline")
    # Click the middle of the gap bar: the programme's page opens.
    x, y = page.evaluate("""() => { const chart = document.getElementById('timeline').chart;
        const index = chart.data.datasets.findIndex(d => d.kind === 'gap');
        const bar = chart.getDatasetMeta(index).data[0]; return [bar.getCenterPoint().x, bar.y]; }""")
    box = page.locator("canvas#timeline").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"**/desk/programmes/{Programme.objects.get(code='REPORT-BUTTON').pk}/")
    assert "REPORT-BUTTON" in page.title()


def test_the_coverage_matrix_colours_pol_1_uncovered(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/coverage/")
    cell = page.locator("#rec-POL-1 td.cov-reason")
    assert cell.get_attribute("data-state") == "uncovered"
    badge = cell.locator(".desk-severity")
    assert badge.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(185, 28, 28)"
    assert badge.inner_text().strip() == "uncovered"  # the colour is never the only signal
    assert page.locator("#rec-INV-1 td.cov-reason").get_attribute("data-state") == "covered"
    save_screenshot(page, "coverage")


def test_acknowledging_in_the_inbox_changes_the_alert_without_leaving_the_page(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/inbox/")
    save_screenshot(page, "inbox")
    page.evaluate("() => { window.stayedOnPage = true; }")
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    unread_before = page.locator("#unread-count").inner_text()
    page.click(f"#acknowledge-{alert.pk}")
    page.wait_for_selector(f"#alert-{alert.pk}[data-state='acknowledged']")
    assert page.evaluate("() => window.stayedOnPage") is True
    assert page.locator(f"#alert-{alert.pk} .desk-state").inner_text().startswith("Acknowledged")
    assert page.locator("#unread-count").inner_text() != unread_before
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    # The keyboard does the same: tab to the next alert's button and press Enter.
    other = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    page.focus(f"#acknowledge-{other.pk}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#alert-{other.pk}[data-state='acknowledged']")
    assert page.evaluate("() => document.activeElement.id") == f"dismiss-{other.pk}"  # still on that row
    # Dismissing asks for a reason, in the page's one dismiss dialog, filled in for the row's alert.
    third = Alert.objects.get(rule="recommendation-uncovered", subject_label="INV-7")
    page.click(f"#dismiss-{third.pk}")
    assert page.locator("#dialog-dismiss").is_visible()
    assert "INV-7" in page.locator("#dialog-dismiss [data-alert]").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "dismiss-reason"  # focus moved into the dialog
    page.fill("#dismiss-reason", "Not in this cabinet period's plan")
    page.press("#dismiss-reason", "Enter")
    page.wait_for_selector(f"#alert-{third.pk}[data-state='dismissed']")
    assert not page.locator("#dialog-dismiss").is_visible()
    assert "Not in this cabinet period's plan" in page.locator(f"#alert-{third.pk}").inner_text()
    assert page.evaluate("() => document.activeElement.id") == f"reassign-{third.pk}"  # back on the row
    third.refresh_from_db()
    assert third.state == AlertState.DISMISSED
    assert page.evaluate("() => window.stayedOnPage") is True
    assert unlabelled_controls(page) == []


def test_the_inbox_dialogs_work_from_the_keyboard(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/inbox/")
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    # Enter on the row's link opens the dialog with focus in it; Escape closes it and focus is back on the link.
    page.focus(f"#reassign-{alert.pk}")
    page.keyboard.press("Enter")
    assert page.locator("#dialog-reassign").is_visible()
    assert page.evaluate("() => document.activeElement.id") == "reassign-assignee"
    page.keyboard.press("Escape")
    assert not page.locator("#dialog-reassign").is_visible()
    assert page.evaluate("() => document.activeElement.id") == f"reassign-{alert.pk}"
    assert not Alert.objects.get(pk=alert.pk).assigned_by_hand  # nothing was sent
    # Then reassign for real: choose a person, submit with Enter; the row shows the new assignee.
    monitor = accounts[roles.MONITOR]
    page.keyboard.press("Enter")
    page.select_option("#reassign-assignee", str(monitor.pk))
    page.focus("#dialog-reassign button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#alert-{alert.pk}:has-text('{monitor.username}')")
    assert not page.locator("#dialog-reassign").is_visible()
    assert page.evaluate("() => document.activeElement.id") == f"reassign-{alert.pk}"
    alert.refresh_from_db()
    assert alert.assignee == monitor and alert.assigned_by_hand
    # Opened again, the dialog starts from the alert's own assignee; Cancel closes it and changes nothing.
    page.click(f"#reassign-{alert.pk}")
    assert page.locator("#reassign-assignee").input_value() == str(monitor.pk)
    page.click("#dialog-reassign [data-close]")
    assert not page.locator("#dialog-reassign").is_visible()
    assert page.get_attribute(f"#reassign-{alert.pk}", "aria-haspopup") == "dialog"
    assert unlabelled_controls(page) == []


def test_the_inbox_works_without_javascript(live_server, browser, client, accounts, demo):
    context = browser.new_context(java_script_enabled=False)
    # Logged in by cookie: Unfold's login page itself shows its form only with JavaScript.
    client.force_login(accounts[roles.COORDINATOR])
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/desk/inbox/?severity=warning")
        first = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
        page.click(f"#acknowledge-{first.pk}")  # a plain form post, back to the same filtered inbox
        page.wait_for_url("**/desk/inbox/?severity=warning")
        assert page.locator(f"#alert-{first.pk}").get_attribute("data-state") == "acknowledged"
        page.click(f"#dismiss-{first.pk}")  # the dismiss form on a page of its own
        page.wait_for_url(f"**/desk/inbox/{first.pk}/dismiss/**")
        page.fill("#dismiss-reason", "Handled by the task force")
        page.click("#alert-action button[type=submit]")
        page.wait_for_url("**/desk/inbox/?severity=warning")
        first.refresh_from_db()
        assert (first.state, first.dismissed_reason) == (AlertState.DISMISSED, "Handled by the task force")
    finally:
        context.close()


def test_the_programme_page_and_the_monitoring_report(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    page.goto(f"{live_server.url}/desk/programmes/{Programme.objects.get(code='STOP-IT-NOW').pk}/")
    drawn(page, "timeline")
    assert page.locator("#programme-budget tfoot").inner_text().count("1,950,000.00") == 1
    assert page.locator("#programme-alerts li").count() >= 2
    save_screenshot(page, "programme")
    page.goto(f"{live_server.url}/desk/report/")
    assert page.locator("#report-POL-1 td.cov").get_attribute("data-state") == "uncovered"
    with page.expect_download() as download:
        page.click("#report-xlsx")
    assert download.value.suggested_filename == f"monitoring-report-{demo.isoformat()}.xlsx"
    assert unlabelled_controls(page) == []
    save_screenshot(page, "report")
    assert page.locator("#nav-sidebar").is_visible() and page.locator("#report-xlsx").is_visible()
    page.emulate_media(media="print")  # on paper: the report without navigation or controls
    assert page.locator("#monitoring-report").is_visible()
    assert not page.locator("#nav-sidebar").is_visible() and not page.locator("#report-xlsx").is_visible()


def test_the_language_switch_shows_dutch(live_server, page, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/dashboard/")
    page.click("#language-nl")
    page.wait_for_selector("html[lang='nl']")
    body = page.locator("body").inner_text()
    assert "Portefeuilledashboard" in body and "Financieringstijdlijn" in body
    drawn(page, "funding-cliff")
    labels = page.evaluate("() => document.getElementById('funding-cliff').chart.data.labels")
    assert all(label.startswith("K") for label in labels)  # kwartalen
    save_screenshot(page, "dashboard-nl")
    page.goto(f"{live_server.url}/desk/programmes/{Programme.objects.get(code='STOP-IT-NOW').pk}/")
    assert "1.950.000,00" in page.locator("#programme-budget tfoot").inner_text()
    page.goto(f"{live_server.url}/desk/inbox/")
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    assert "Het kabinet heeft POL-1 overgenomen" in page.locator(f"#alert-{alert.pk}").inner_text()
    save_screenshot(page, "inbox-nl")
    page.click("#language-en")
    page.wait_for_selector("html[lang='en']")
