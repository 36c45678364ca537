"""Alerts in the desk: the list and its filters, acknowledge / dismiss / reassign, and alerts on the programme page."""

import pytest
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications.models import Notification
from tests.builders import form_errors, fund, funding_form, make_programme, management_form

URL = "/desk/continuity/alert/"


@pytest.fixture
def alert(accounts, ministry):
    """An open funding-expiring alert about a programme owned by the finance officer (today's date)."""
    today = timezone.localdate()
    programme = make_programme(accounts[roles.FINANCE_OFFICER], code="HELPLINE", last_reviewed=today)
    fund(programme, today.replace(day=1), today + timezone.timedelta(days=20),
         renewal_decision="not_applicable")
    run_scan()
    return Alert.objects.get(rule="funding-expiring")


def act(client, alert, **fields):
    data = {"action": "", "reason": "", "accepted_until": "", "assignee": "", **management_form("events")}
    data.update({key: str(value) for key, value in fields.items()})
    return client.post(f"{URL}{alert.pk}/change/", data, follow=True)


@pytest.mark.parametrize("query", ["rule=funding-expiring", "severity=critical", "state__exact=open",
                                   "area=prevention", "ministry={ministry}", "assignee__id__exact={owner}"])
def test_filters_keep_the_alert(client, login, alert, ministry, accounts, query):
    login(roles.MONITOR)
    query = query.format(ministry=ministry.pk, owner=accounts[roles.FINANCE_OFFICER].pk)
    page = client.get(f"{URL}?{query}")
    assert page.status_code == 200 and "HELPLINE" in page.content.decode()


@pytest.mark.parametrize("query", ["rule=funding-gap", "severity=info", "state__exact=resolved", "area=aftercare"])
def test_filters_leave_other_alerts_out(client, login, alert, query):
    login(roles.MONITOR)
    assert "HELPLINE —" not in client.get(f"{URL}?{query}").content.decode()


def test_dismiss_needs_a_reason_and_keeps_it(client, login, alert):
    login(roles.COORDINATOR)
    page = act(client, alert, action="dismiss")
    assert "Give the reason for dismissing the alert." in form_errors(page)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    act(client, alert, action="dismiss", reason="Renewal promised in writing",
        accepted_until=timezone.localdate() + timezone.timedelta(days=14))
    alert.refresh_from_db()
    assert (alert.state, alert.dismissed_reason) == (AlertState.DISMISSED, "Renewal promised in writing")
    assert alert.events.last().actor.username == roles.COORDINATOR.lower().replace(" ", "-")


def test_acknowledge_selected_from_the_list(client, login, alert):
    login(roles.FINANCE_OFFICER)
    client.post(URL, {"action": "acknowledge_selected", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED


def test_reassign_tells_the_new_assignee(client, login, alert, accounts):
    login(roles.COORDINATOR)
    monitor = accounts[roles.MONITOR]
    act(client, alert, action="reassign", assignee=monitor.pk)
    alert.refresh_from_db()
    assert alert.assignee == monitor and alert.assigned_by_hand
    assert Notification.objects.filter(recipient=monitor, event__kind="reassigned").exists()


def test_monitors_read_but_cannot_act(client, login, alert):
    login(roles.MONITOR)
    assert client.get(f"{URL}{alert.pk}/change/").status_code == 200
    assert act(client, alert, action="acknowledge").status_code == 403
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_programme_page_shows_its_open_alerts(client, login, alert):
    login(roles.MONITOR)
    page = client.get(f"/desk/portfolio/programme/{alert.programme_id}/change/").content.decode()
    assert "Funding expiring" in page and f"{URL}{alert.pk}/change/" in page


def test_extending_funding_in_the_desk_resolves_the_alert_on_save(client, login, alert,
                                                                    django_capture_on_commit_callbacks):
    login(roles.FINANCE_OFFICER)
    period = alert.programme.funding_periods.get()
    data = funding_form(period, end=timezone.localdate() + timezone.timedelta(days=700),
                        renewal_decision="not_applicable")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/portfolio/fundingperiod/{period.pk}/change/", data)
    assert response.status_code == 302, form_errors(response)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_my_notifications_and_the_unread_badge(client, login, alert, accounts):
    owner = login(roles.FINANCE_OFFICER)
    assert Notification.objects.filter(recipient=owner).exists()
    page = client.get("/desk/notifications/notification/").content.decode()
    assert "HELPLINE" in page and "unread notification" in page
    login(roles.MONITOR)
    assert "HELPLINE" not in client.get("/desk/notifications/notification/").content.decode()


def test_alert_list_puts_active_and_severe_alerts_first(client, login, alert, accounts):
    login(roles.MONITOR)
    stale = make_programme(accounts[roles.COORDINATOR], code="STALE", last_reviewed=None)
    fund(stale, timezone.localdate(), timezone.localdate() + timezone.timedelta(days=900),
         renewal_decision="not_applicable")
    run_scan()
    Alert.objects.filter(rule="funding-expiring").update(state=AlertState.RESOLVED)
    page = client.get(URL).content.decode()
    assert page.index("Stale record") < page.index("Funding expiring")  # open info before resolved critical
