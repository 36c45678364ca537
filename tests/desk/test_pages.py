"""The desk pages through Django's test client: who may open them, what they show on the demo portfolio, the
inbox actions, and query counts that do not grow with the portfolio."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.core.models import AuditEvent
from programme_tracker.desk.coverage import state
from programme_tracker.desk.snapshot import snapshot
from programme_tracker.notifications.models import Notification
from programme_tracker.portfolio.models import Programme, ProgrammeRecommendation, Recommendation
from tests.documents import text_of

PAGES = ["desk:dashboard", "desk:timeline", "desk:coverage", "desk:inbox", "desk:report"]


def programme_url(code):
    return reverse("desk:programme", args=[Programme.objects.get(code=code).pk])


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_every_role_opens_every_desk_page(client, demo, accounts, role):
    client.force_login(accounts[role])
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(programme_url("STOP-IT-NOW")).status_code == 200


def test_staff_without_a_role_may_open_no_desk_page_and_anonymous_people_are_sent_to_log_in(client, demo):
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1", is_staff=True)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/desk/login/" in response["Location"], name
    client.force_login(nobody)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(programme_url("STOP-IT-NOW")).status_code == 403


def test_money_and_alerts_show_only_to_those_who_may_see_them(client, demo):
    reader = get_user_model().objects.create_user("reader", password="x-long-password-1", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(
        codename__in=["view_programme", "view_recommendation", "view_fundingperiod"]))
    client.force_login(reader)
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert 'id="programmes-by-area"' in page and 'id="funding-cliff"' in page
    assert 'id="money-by-ministry"' not in page and 'id="alerts-by-severity"' not in page
    page = client.get(programme_url("STOP-IT-NOW")).content.decode()
    assert 'id="funding-periods"' in page and 'id="programme-history"' in page
    assert 'id="programme-budget"' not in page and 'id="programme-alerts"' not in page
    reader.user_permissions.remove(Permission.objects.get(codename="view_fundingperiod"))
    reader = get_user_model().objects.get(pk=reader.pk)  # permissions are cached on the instance
    client.force_login(reader)
    page = client.get(programme_url("STOP-IT-NOW")).content.decode()
    assert 'id="funding-periods"' not in page and 'id="programme-history"' not in page
    report = client.get(reverse("desk:report")).content.decode()
    assert "Open alerts" not in report
    assert client.get(reverse("desk:inbox")).status_code == 403


def test_the_dashboard_counts_the_demo_portfolio(client, demo, login):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:dashboard"))
    charts = {chart.id: chart for chart in response.context["charts"]}
    assert set(charts) == {"programmes-by-area", "money-by-ministry", "funding-cliff", "funding-cliff-money",
                           "recommendation-coverage", "alerts-by-severity"}
    counts = response.context["coverage_counts"]
    assert counts["uncovered"] == 3  # POL-1, POL-2 and INV-7
    assert sum(charts["programmes-by-area"].series[i].values[j] for i in range(5) for j in range(7)) \
        == Programme.objects.count()
    critical = Alert.objects.filter(severity="critical", state__in=["open", "acknowledged"]).count()
    assert critical >= 1 and charts["alerts-by-severity"].rows[0][1][0] == (
        critical, "/desk/inbox/?severity=critical&state=open")
    # The coverage donut counts the accepted recommendations; the others are counted in words under it.
    donut = charts["recommendation-coverage"]
    assert sum(value for _label, cells in donut.rows for value, _link in cells) == \
        counts["covered"] + counts["at_risk"] + counts["uncovered"]
    pending = Recommendation.objects.filter(government_response="pending").count()
    assert donut.note == f"Not in the chart: {pending} pending."
    # The helpline's secured funding ends in the cliff's window and is listed among the soonest.
    assert "STOP-IT-NOW" in [ending.programme.code for ending in response.context["ending"]]
    assert 'id="data-funding-cliff"' in response.content.decode()


def test_the_timeline_marks_the_report_buttons_gap_and_filters_by_area(client, demo, login):
    login(roles.MONITOR)
    response = client.get(reverse("desk:timeline"), {"area": "prevention"})
    rows = {row.programme.code: row for row in response.context["rows"]}
    assert {code for code in rows} == set(Programme.objects.filter(area="prevention").values_list("code", flat=True))
    gaps = [bar for bar in rows["REPORT-BUTTON"].bars if bar.kind == "gap"]
    assert len(gaps) == 1 and (gaps[0].end - gaps[0].start).days + 1 == 59
    chart = response.context["chart"]
    gap_points = next(d for d in chart["datasets"] if d["kind"] == "gap")["points"]
    assert gap_points[0]["start"] == gaps[0].start.isoformat()
    assert chart["today"] == demo.isoformat()


def test_the_coverage_matrix_colours_pol_1_uncovered_and_filters_by_state(client, demo, login):
    login(roles.COORDINATOR)
    page = client.get(reverse("desk:coverage")).content.decode()
    row = page[page.index('id="rec-POL-1"'):]
    assert 'class="desk-severity cov-uncovered">uncovered<' in row[:row.index("</tr>")]
    assert "No programme implements it." in row[:row.index("</tr>")]
    response = client.get(reverse("desk:coverage"), {"coverage": "uncovered"})
    codes = [line.recommendation.code for _area, lines in response.context["areas"] for line in lines]
    assert codes == ["POL-1", "POL-2", "INV-7"]


def test_the_matrix_says_why_a_recommendation_is_at_risk_and_each_programmes_own_funding(client, demo, login):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:coverage"))
    lines = {line.recommendation.code: line for _area, lines in response.context["areas"] for line in lines}
    stop_it_now = Programme.objects.get(code="STOP-IT-NOW")
    until = date_format(snapshot(demo).until(stop_it_now.pk))
    assert lines["PREV-3"].reason == f"Only STOP-IT-NOW covers it, secured up to and including {until}."
    assert lines["AFT-3"].reason.startswith("Only LOW-RISK-PILOT covers it")
    assert lines["POL-3"].reason == "" and lines["POL-3"].badge == "pending"
    # The programme's own cells never use the recommendation's words.
    cells = [cell for line in lines.values() for cell in line.cells if cell]
    assert {cell.label for cell in cells} <= {"secured", "ends soon", "not secured", "planned", "ended"}
    low_risk = next(cell for cell in lines["AFT-3"].cells if cell and cell.programme.code == "LOW-RISK")
    assert low_risk.label == "planned"
    page = response.content.decode()
    assert 'role="region"' in page and 'data-scroll-hint="coverage-box"' in page


def test_an_uncovered_recommendation_names_the_programmes_that_do_not_cover_it(client, demo, login):
    Recommendation.objects.filter(code="AFT-3").update(government_response="accepted")
    Programme.objects.filter(code="LOW-RISK-PILOT").update(status="suspended")
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:coverage"))
    lines = {line.recommendation.code: line for _area, lines in response.context["areas"] for line in lines}
    assert lines["AFT-3"].reason == "Implemented by LOW-RISK (planned) and LOW-RISK-PILOT (suspended); none covers it."


def test_coverage_states():
    horizon = date(2027, 6, 1)
    assert state(False, date(2030, 1, 1), horizon) == "not_accepted"
    assert state(True, None, horizon) == "uncovered"
    assert state(True, date(2027, 5, 31), horizon) == "at_risk"
    assert state(True, horizon, horizon) == "covered"


def inbox_act(client, alert, action, **data):
    return client.post(reverse("desk:inbox-act", args=[alert.pk, action]), data, HTTP_HX_REQUEST="true")


def test_acknowledging_in_the_inbox_changes_the_alert_returns_its_row_and_reads_its_notifications(
        client, demo, login):
    coordinator = login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    assert Notification.objects.filter(recipient=coordinator, alert=alert, read_at__isnull=True).exists()
    response = inbox_act(client, alert, "acknowledge")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="alert-{alert.pk}"' in body and 'data-state="acknowledged"' in body
    assert 'id="unread-count"' in body and 'hx-swap-oob="true"' in body
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.events.filter(kind="acknowledged", actor=coordinator).count() == 1
    assert not Notification.objects.filter(recipient=coordinator, alert=alert, read_at__isnull=True).exists()


def test_dismissing_needs_a_reason_and_changes_nothing_without_one(client, demo, login):
    login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    body = inbox_act(client, alert, "dismiss", reason=" ").content.decode()
    assert 'role="alert"' in body and "Give the reason" in body
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    inbox_act(client, alert, "dismiss", reason="Covered by the new task force budget", accepted_until="")
    alert.refresh_from_db()
    assert (alert.state, alert.dismissed_reason) == (AlertState.DISMISSED, "Covered by the new task force budget")


def test_reassigning_hands_the_alert_to_the_chosen_person(client, demo, login, accounts):
    login(roles.FINANCE_OFFICER)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="INV-7")
    monitor = accounts[roles.MONITOR]
    inbox_act(client, alert, "reassign", assignee=str(monitor.pk))
    alert.refresh_from_db()
    assert alert.assignee == monitor and alert.assigned_by_hand
    body = inbox_act(client, alert, "reassign", assignee="999999").content.decode()
    assert "Choose an active account" in body


def test_a_recommendation_alert_goes_back_to_the_automatic_choice(client, demo, login, accounts):
    login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="INV-7")
    inbox_act(client, alert, "reassign", assignee=str(accounts[roles.MONITOR].pk))
    response = inbox_act(client, alert, "reassign", assignee="")
    assert response.status_code == 200 and 'role="alert"' not in response.content.decode()
    alert.refresh_from_db()
    assert (alert.assignee, alert.assigned_by_hand) == (None, False)  # recommendations: the coordinators'


@pytest.mark.parametrize(("action", "data", "message"), [
    ("dismiss", {"reason": "r", "accepted_until": "2026-02-30"}, "Enter the date as YYYY-MM-DD."),
    ("dismiss", {"reason": "r", "accepted_until": "2099-13-01"}, "Enter the date as YYYY-MM-DD."),
    ("reassign", {"assignee": "²"}, "Choose an active account."),
    ("reassign", {"assignee": "١"}, "Choose an active account."),
    ("reassign", {"assignee": "9" * 30}, "Choose an active account."),
])
def test_odd_values_in_an_inbox_action_are_refused_on_the_row(client, demo, login, action, data, message):
    login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    response = inbox_act(client, alert, action, **data)
    assert response.status_code == 200 and message in response.content.decode()
    alert.refresh_from_db()
    assert (alert.state, alert.assigned_by_hand) == (AlertState.OPEN, False)


def test_an_alert_is_handed_only_to_someone_who_may_read_alerts(client, demo, login):
    login(roles.COORDINATOR)
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1", is_staff=True)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    assert nobody not in client.get(reverse("desk:inbox")).context["assignees"]
    body = inbox_act(client, alert, "reassign", assignee=str(nobody.pk)).content.decode()
    assert "Choose an active account." in body
    alert.refresh_from_db()
    assert alert.assignee is None


def test_monitors_read_the_inbox_but_cannot_act_and_a_plain_form_is_redirected(client, demo, login):
    login(roles.MONITOR)
    page = client.get(reverse("desk:inbox")).content.decode()
    assert "Acknowledge</button>" not in page and "Dismiss…" not in page and "<dialog" not in page
    alert = Alert.objects.filter(state=AlertState.OPEN).first()
    assert inbox_act(client, alert, "acknowledge").status_code == 403
    login(roles.COORDINATOR)
    response = client.post(reverse("desk:inbox-act", args=[alert.pk, "acknowledge"]), {"next": "/desk/inbox/?x=1"})
    assert response.status_code == 302 and response["Location"] == "/desk/inbox/?x=1"
    other = Alert.objects.filter(state=AlertState.OPEN).exclude(pk=alert.pk).first()
    response = client.post(reverse("desk:inbox-act", args=[other.pk, "acknowledge"]),
                           {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("desk:inbox")  # never sent to another site


def test_the_inbox_renders_each_action_form_once_whatever_the_number_of_rows(client, demo, login):
    login(roles.COORDINATOR)
    page = client.get(reverse("desk:inbox"), {"state": "all"}).content.decode()
    desk = page[page.index('id="desk-page"'):]
    assert desk.count('<tr id="alert-') > 10
    assert desk.count("<dialog") == 2 and desk.count('name="reason"') == 1 and desk.count('name="assignee"') == 1
    # The language switch, the filters, the form the acknowledge buttons post, and one in each dialog.
    assert desk.count("<form") == 5 and desk.count('name="csrfmiddlewaretoken"') == 4


def test_without_javascript_each_action_has_a_page_with_its_form(client, demo, login, accounts):
    login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    back = reverse("desk:inbox") + "?severity=warning"
    url = reverse("desk:inbox-act", args=[alert.pk, "reassign"])
    page = client.get(url, {"next": back}).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and '<label for="reassign-assignee">' in page
    assert f'name="next" value="{back}"' in page
    monitor = accounts[roles.MONITOR]
    response = client.post(url, {"assignee": str(monitor.pk), "next": back})
    assert response.status_code == 302 and response["Location"] == back
    alert.refresh_from_db()
    assert alert.assignee == monitor
    page = client.get(reverse("desk:inbox-act", args=[alert.pk, "dismiss"])).content.decode()
    assert '<label for="dismiss-reason">' in page and f'href="{reverse("desk:inbox")}"' in page
    assert client.get(reverse("desk:inbox-act", args=[alert.pk, "delete"])).status_code == 404
    assert client.get(reverse("desk:inbox-act", args=[alert.pk, "dismiss"]),
                      {"next": "https://elsewhere.example/"}).context["back"] == reverse("desk:inbox")
    login(roles.MONITOR)
    assert client.get(url).status_code == 403


def test_the_inbox_puts_my_alerts_first(client, demo, login):
    monitor = login(roles.MONITOR)
    assert not Notification.objects.filter(recipient=monitor).exists()  # nothing is the monitor's yet
    last = list(client.get(reverse("desk:inbox")).context["page"].object_list)[-1]
    Alert.objects.filter(pk=last.pk).update(assignee=monitor)
    alerts = list(client.get(reverse("desk:inbox")).context["page"].object_list)
    assert alerts[0].pk == last.pk
    mine = client.get(reverse("desk:inbox"), {"mine": "1"}).context["page"].object_list
    assert last.pk in [a.pk for a in mine]


def test_the_programme_page_shows_funding_money_alerts_and_history(client, demo, login):
    login(roles.MONITOR)
    response = client.get(programme_url("STOP-IT-NOW"))
    page = response.content.decode()
    assert response.context["secured_until"] is not None
    assert "STOP-IT-NOW-2025" in page and 'id="programme-budget"' in page
    assert {a.rule for a in response.context["alerts"]} >= {"tranche-overdue", "tranche-blocked"}
    assert response.context["changes"] and "Edit in the desk" not in page
    login(roles.COORDINATOR)
    assert "Edit in the desk" in client.get(programme_url("STOP-IT-NOW")).content.decode()


def test_the_monitoring_report_lists_coverage_and_downloads_as_xlsx(client, demo, login):
    login(roles.MONITOR)
    response = client.get(reverse("desk:report"))
    entries = {e.line.recommendation.code: e for _area, group in response.context["groups"] for e in group}
    assert len(entries) == 25
    assert entries["POL-1"].line.state == "uncovered" and entries["POL-1"].alerts
    assert [c.code for c in entries["PREV-3"].covering] == ["STOP-IT-NOW"]
    download = client.get(reverse("desk:report"), {"format": "xlsx", "date": demo.isoformat()})
    assert download["Content-Disposition"] == f'attachment; filename="monitoring-report-{demo.isoformat()}.xlsx"'
    sheet = load_workbook(io.BytesIO(download.content)).active
    # A title with the reference date, a bold header row held in view, columns as wide as their contents.
    assert sheet["A1"].value == f"State of implementation of the recommendations on {date_format(demo)}"
    assert sheet["A2"].value == "Area" and sheet["A2"].font.bold and sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width >= 10
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["POL-1"][4] == "uncovered" and rows["POL-1"][8] >= 1
    assert rows["PREV-3"][6].startswith("STOP-IT-NOW (")


@pytest.mark.parametrize("file_format", ["pdf", "docx"])
def test_the_monitoring_report_downloads_as_a_document(client, demo, login, file_format):
    login(roles.MONITOR)
    download = client.get(reverse("desk:report"), {"format": file_format, "date": demo.isoformat()})
    assert download["Content-Disposition"] == \
        f'attachment; filename="monitoring-report-{demo.isoformat()}.{file_format}"'
    text = text_of(download.content, file_format)
    assert f"State of implementation of the recommendations on {date_format(demo)}" in text
    assert "POL-1" in text and "Policy" in text and "STOP-IT-NOW (" in text and "Uncovered: 3" in text
    assert AuditEvent.objects.filter(kind="export", detail__endswith=f".{file_format}").exists()


def test_the_report_counts_alerts_open_on_a_past_date_from_their_history(client, demo, login):
    login(roles.MONITOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    opened = alert.events.get(kind="opened").at
    AlertEvent.objects.create(alert=alert, kind="dismissed", at=opened + timedelta(days=2), from_state="open",
                              to_state="dismissed", note="test")
    Alert.objects.filter(pk=alert.pk).update(state="dismissed")
    later = timezone.localdate(opened + timedelta(days=3))
    earlier = timezone.localdate(opened + timedelta(days=1))
    Alert.objects.filter(pk=alert.pk).update(opened_at=opened)

    def pol_1_alerts(day):
        from programme_tracker.desk.report import monitoring_report

        groups, _counts = monitoring_report(day, later + timedelta(days=1))
        return [rule for _area, entries in groups for e in entries if e.line.recommendation.code == "POL-1"
                for rule, _severity in e.alerts]

    assert pol_1_alerts(earlier) == ["recommendation-uncovered"]
    assert pol_1_alerts(later) == []


def test_a_saved_change_shows_at_once_although_the_figures_are_cached(client, demo, login):
    login(roles.COORDINATOR)
    first = CaptureQueriesContext(connection)
    with first:
        assert client.get(reverse("desk:dashboard")).context["coverage_counts"]["uncovered"] == 3
    again = CaptureQueriesContext(connection)
    with again:
        client.get(reverse("desk:dashboard"))
    assert len(again) < len(first)  # the snapshot came from the cache
    police = Programme.objects.get(code="POLICE-UNIT")  # active, funded for years
    ProgrammeRecommendation.objects.create(programme=police, recommendation=Recommendation.objects.get(code="POL-1"))
    assert client.get(reverse("desk:dashboard")).context["coverage_counts"]["uncovered"] == 2
    page = client.get(reverse("desk:coverage")).content.decode()
    row = page[page.index('id="rec-POL-1"'):]
    assert 'class="cov cov-covered"' in row[:row.index("</tr>")]


def sidebar_inbox_link(html: str) -> str:
    """The text of the sidebar's link to the inbox, tags stripped."""
    import re

    link = re.search(r'<a[^>]*href="/desk/inbox/"[^>]*>(.*?)</a>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", link).split())


def test_the_sidebar_counts_unread_alerts_and_shows_no_badge_without_any(client, demo, accounts):
    coordinator = accounts[roles.COORDINATOR]
    client.force_login(coordinator)
    unread = Notification.objects.filter(recipient=coordinator, read_at__isnull=True).count()
    assert unread
    page = client.get(reverse("desk:report")).content.decode()
    assert sidebar_inbox_link(page) == f"notifications Alert inbox {unread}"
    Notification.objects.filter(recipient=coordinator).update(read_at=timezone.now())
    assert sidebar_inbox_link(client.get(reverse("desk:report")).content.decode()) == "notifications Alert inbox"


def test_a_plain_form_dismissal_says_so_and_the_row_shows_until_when_the_risk_is_accepted(client, demo, login):
    login(roles.COORDINATOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-2")
    until = demo + timedelta(days=60)
    response = client.post(reverse("desk:inbox-act", args=[alert.pk, "dismiss"]),
                           {"reason": "decided in the task force", "accepted_until": until.isoformat()}, follow=True)
    page = response.content.decode()
    assert "Dismissed: Recommendation uncovered · POL-2" in page
    response = client.get(reverse("desk:inbox"), {"state": "dismissed"})
    row = response.content.decode().split(f'id="alert-{alert.pk}"')[1].split("</tr>")[0]
    assert "decided in the task force" in row
    assert f"risk accepted up to and including {date_format(until, 'DATE_FORMAT')}" in row


def test_the_inbox_puts_mine_first_and_of_those_the_most_severe_first(client, login, accounts):
    from programme_tracker.continuity.models import Alert

    coordinator = accounts[roles.COORDINATOR]
    today = timezone.localdate()

    def alert(key, severity, state, assignee):
        return Alert.objects.create(rule="funding-gap", subject_key=f"programme:{key}", key="", subject_label=key,
                                    severity=severity, state=state, message=key, first_seen=today, last_seen=today,
                                    assignee=assignee)

    alert("MINE-INFO", "info", "open", coordinator)
    alert("MINE-CRITICAL", "critical", "acknowledged", coordinator)
    alert("MINE-WARNING", "warning", "open", coordinator)
    alert("OTHERS-CRITICAL", "critical", "open", None)
    login(roles.COORDINATOR)
    page = client.get(reverse("desk:inbox")).content.decode()
    order = [page.index(label) for label in ("MINE-CRITICAL", "MINE-WARNING", "MINE-INFO", "OTHERS-CRITICAL")]
    assert order == sorted(order)


def test_the_monday_question_which_programmes_lose_their_funding_how_much_who_and_what_is_on_its_way(
        client, demo, login):
    """From the dashboard: the cliff's bars lead to the programmes ending in that quarter, with the amount, owner,
    lead ministry and what the task force has on its way."""
    from decimal import Decimal

    from programme_tracker.desk.ending import quarter_key, quarter_of
    from programme_tracker.portfolio.models import FundingPeriod
    from programme_tracker.taskforce.services import record_decision

    login(roles.COORDINATOR)
    dashboard = client.get(reverse("desk:dashboard"))
    cliff = {chart.id: chart for chart in dashboard.context["charts"]}["funding-cliff"]
    money = {chart.id: chart for chart in dashboard.context["charts"]}["funding-cliff-money"]
    helpline = next(row for row in dashboard.context["ending"] if row.programme.code == "STOP-IT-NOW")
    quarter = quarter_key(*quarter_of(helpline.secured_until))
    index = [link.rsplit("=", 1)[1] for link in cliff.series[0].links].index(quarter)
    assert cliff.series[0].values[index] >= 1 and money.series[0].values[index] >= helpline.amount > 0
    ending_amount = sum(FundingPeriod.objects.filter(programme=helpline.programme, end=helpline.secured_until,
                                                     status__in=["committed", "disbursing", "closed"])
                        .values_list("amount", flat=True), Decimal("0"))
    assert helpline.amount == ending_amount

    page = client.get(cliff.series[0].links[index])
    assert page.status_code == 200
    rows = {row.programme.code: row for row in page.context["rows"]}
    assert "STOP-IT-NOW" in rows and all(quarter_key(*row.quarter) == quarter for row in rows.values())
    text = page.content.decode()
    assert "Anna Jansen" in text and "VWS" in text and f"{helpline.amount:,.2f}" in text
    record_decision(actor=None, decided_on=demo, kind="continue_funding", text="Renew it.",
                    programmes=[helpline.programme])
    page = client.get(cliff.series[0].links[index])
    assert "decision TF-" in {row.programme.code: row for row in page.context["rows"]}["STOP-IT-NOW"].on_its_way
    assert client.get(reverse("desk:ending"), {"quarter": "1999-9"}).status_code == 200  # all eight quarters


@pytest.mark.parametrize(("who", "status"), [
    (roles.COORDINATOR, 200), (roles.FINANCE_OFFICER, 200), (roles.MONITOR, 200), (roles.ADMINISTRATOR, 200),
    (roles.TASK_FORCE_MEMBER, 200), ("staff without a role", 403), ("anonymous", 302),
])
def test_who_opens_the_funding_ending_page(client, login, accounts, who, status):
    login(who)
    assert client.get(reverse("desk:ending")).status_code == status


def test_the_inbox_shows_the_alert_an_e_mail_links_to_whatever_its_state(client, login, demo):
    login(roles.MONITOR)
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    Alert.objects.filter(pk=alert.pk).update(state=AlertState.RESOLVED)  # resolved since the e-mail went out
    page = client.get(reverse("desk:inbox"), {"alert": alert.pk})
    assert [row.pk for row in page.context["page"].object_list] == [alert.pk]
    assert 'id="one-alert"' in page.content.decode()
    for hostile in ("abc", "1 ", "-1", "9" * 40):
        page = client.get(reverse("desk:inbox"), {"alert": hostile})
        assert page.status_code == 200 and page.context["filters"].alert == ""
