"""The programme's page shows the task force's decisions, action items and agenda items about it, to those who may
read them; each module's panel shows only to those with its permission."""

from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme_tracker.accounts import roles
from programme_tracker.taskforce.models import ActionItem, Meeting
from programme_tracker.taskforce.services import record_decision


def test_the_programme_page_shows_what_the_task_force_did_about_it(client, login, programme, accounts):
    meeting = Meeting.objects.create(starts_at=datetime(2027, 3, 11, 9, tzinfo=UTC))
    meeting.agenda_items.create(title="Renewal of the helpline", programme=programme)
    decision = record_decision(actor=None, meeting=meeting, decided_on=date(2027, 3, 11), kind="continue_funding",
                               text="Ask VWS to renew.", deadline=date(2027, 5, 1), programmes=[programme])
    ActionItem.objects.create(what="Write to VWS", owner=accounts[roles.TASK_FORCE_MEMBER], due_on=date(2027, 4, 1),
                              decision=decision)
    url = reverse("admin:portfolio_programme_change", args=[programme.pk])
    login(roles.MONITOR)
    page = client.get(url).content.decode()
    assert "TF-2027-001" in page and "Write to VWS" in page and "Renewal of the helpline" in page


def test_each_panel_shows_only_to_those_who_may_read_what_it_shows(client, programme):
    reader = get_user_model().objects.create_user("reader", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename="view_programme"))
    client.force_login(reader)
    page = client.get(reverse("admin:portfolio_programme_change", args=[programme.pk])).content.decode()
    assert 'id="panel-change-log"' in page
    for name in ("open-alerts", "money", "task-force"):
        assert f'id="panel-{name}"' not in page, name


def test_the_coordinator_sees_every_panel(client, login, programme):
    login(roles.COORDINATOR)
    page = client.get(reverse("admin:portfolio_programme_change", args=[programme.pk])).content.decode()
    for name in ("open-alerts", "money", "task-force", "change-log"):
        assert f'id="panel-{name}"' in page, name


def test_the_inbox_says_what_the_task_force_did_about_each_alert(client, login, accounts):
    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan
    from tests.builders import fund, make_programme

    today = timezone.localdate()
    fund(make_programme(accounts[roles.FINANCE_OFFICER]), date(2020, 1, 1), today + timedelta(days=100))
    fund(make_programme(accounts[roles.FINANCE_OFFICER]), date(2020, 1, 1), today)
    run_scan(rules=["funding-expiring"])
    assert Alert.objects.count() == 2
    alert = Alert.objects.get(severity="critical")
    meeting = Meeting.objects.create(starts_at=datetime(2099, 3, 11, 9, tzinfo=UTC))
    meeting.agenda_items.create(title="Helpline", alert=alert)
    decision = record_decision(actor=None, decided_on=date(2099, 3, 11), kind="other", text="Go.", alerts=[alert])
    ActionItem.objects.create(what="Ask", owner=accounts[roles.TASK_FORCE_MEMBER], due_on=date(2099, 4, 1),
                              decision=decision).alerts.add(alert)
    login(roles.MONITOR)
    page = client.get(reverse("desk:inbox")).content.decode()
    assert f"on the agenda of {date_format(date(2099, 3, 11))}; decision TF-2099-001; action due " \
           f"{date_format(date(2099, 4, 1))} (task-force-member)" in page
    assert page.count("Task force:") == 1  # only the alert it is about


def test_the_inbox_leaves_the_task_force_out_for_those_who_may_not_read_it(client, programme, accounts):
    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan

    run_scan(date(2026, 12, 1), rules=["funding-expiring"])
    alert = Alert.objects.get()
    Meeting.objects.create(starts_at=datetime(2099, 3, 11, 9, tzinfo=UTC)).agenda_items.create(title="H", alert=alert)
    reader = get_user_model().objects.create_user("reader", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename__in=["view_alert", "view_programme"]))
    client.force_login(reader)
    page = client.get(reverse("desk:inbox"), {"state": "all"}).content.decode()
    assert f'id="alert-{alert.pk}"' in page and "Task force:" not in page


def test_the_recommendation_and_alert_pages_show_what_the_task_force_did_about_them(client, login, accounts):
    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan
    from programme_tracker.portfolio.models import Recommendation
    from tests.builders import fund, make_programme

    today = timezone.localdate()
    fund(make_programme(accounts[roles.FINANCE_OFFICER]), date(2020, 1, 1), today)
    run_scan(rules=["funding-expiring"])
    alert = Alert.objects.get()
    recommendation = Recommendation.objects.get(code="POL-4")
    meeting = Meeting.objects.create(starts_at=datetime(2099, 3, 11, 9, tzinfo=UTC))
    meeting.agenda_items.create(title="The continuity of POL-4", recommendation=recommendation)
    meeting.agenda_items.create(title="The helpline's gap", alert=alert)
    about_both = record_decision(actor=None, decided_on=date(2099, 3, 11), kind="other", text="Plan it.",
                                 recommendations=[recommendation], alerts=[alert])
    ActionItem.objects.create(what="Write the plan", owner=accounts[roles.TASK_FORCE_MEMBER],
                              due_on=date(2099, 4, 1)).alerts.add(alert)
    login(roles.MONITOR)
    page = client.get(reverse("admin:portfolio_recommendation_change", args=[recommendation.pk])).content.decode()
    assert 'id="panel-task-force-recommendation"' in page and about_both.number in page
    assert "The continuity of POL-4" in page and "The helpline&#x27;s gap" not in page
    page = client.get(reverse("admin:continuity_alert_change", args=[alert.pk])).content.decode()
    assert 'id="panel-task-force-alert"' in page and about_both.number in page
    assert "Write the plan" in page and "The helpline&#x27;s gap" in page
    other = Recommendation.objects.exclude(pk=recommendation.pk).first()
    page = client.get(reverse("admin:portfolio_recommendation_change", args=[other.pk])).content.decode()
    assert "The task force has not discussed this recommendation yet." in page


def test_the_owner_of_an_overdue_action_goes_from_its_alert_to_the_action(client, login, accounts):
    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan

    action = ActionItem.objects.create(what="Send the letter", owner=accounts[roles.TASK_FORCE_MEMBER],
                                       due_on=timezone.localdate() - timedelta(days=3))
    run_scan(rules=["action-overdue"])
    alert = Alert.objects.get(rule="action-overdue")
    login(roles.TASK_FORCE_MEMBER)
    page = client.get(reverse("admin:continuity_alert_change", args=[alert.pk])).content.decode()
    assert reverse("admin:taskforce_actionitem_change", args=[action.pk]) in page
