"""The task-force page: the next meeting with its agenda, open action items by owner with the late ones first, the
latest decisions and the three figures; for whoever may read the task force's records, and nobody else."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.figures import figures
from programme_tracker.taskforce.models import ActionItem, Decision
from programme_tracker.taskforce.services import record_decision


@pytest.fixture
def demo(accounts):
    today = timezone.localdate()
    load_demo(today)
    run_scan(today)
    return today


def test_the_page_shows_the_next_meeting_the_late_actions_first_and_the_decisions(client, login, demo):
    login(roles.TASK_FORCE_MEMBER)
    page = client.get(reverse("desk:task-force")).content.decode()
    assert "Any other business" in page and "invitation (.ics)" in page
    late, later = page.index("Ask VWS in writing for the renewal decision"), page.index("Report on the uncovered")
    assert late < later and "late: due" in page
    for decision in Decision.objects.all():
        assert decision.number in page


def test_the_three_figures(demo, accounts):
    shown = figures(demo)
    critical = Alert.objects.filter(state="open", severity="critical").exclude(
        rule__in=["action-overdue", "decision-not-implemented"]).count()
    assert shown.undecided_critical == critical > 0
    assert shown.overdue_actions == 1 and shown.median_days_to_decision is None
    alert = Alert.objects.filter(state="open", severity="critical").exclude(
        rule__in=["action-overdue", "decision-not-implemented"]).first()
    Alert.objects.filter(pk=alert.pk).update(opened_at=timezone.now() - timedelta(days=10))
    record_decision(actor=None, decided_on=demo, kind="other", text="Bridge it.", alerts=[alert])
    ActionItem.objects.filter(state="open", due_on__lt=demo).update(due_on=demo)
    shown = figures(demo)
    assert (shown.undecided_critical, shown.overdue_actions, shown.median_days_to_decision) == (critical - 1, 0, 10)


@pytest.mark.parametrize(("who", "status"), [
    (roles.COORDINATOR, 200), (roles.FINANCE_OFFICER, 200), (roles.MONITOR, 200), (roles.ADMINISTRATOR, 200),
    (roles.TASK_FORCE_MEMBER, 200), ("staff without a role", 403), ("anonymous", 302),
])
def test_who_opens_the_task_force_page(client, login, accounts, who, status):
    login(who)
    response = client.get(reverse("desk:task-force"))
    assert response.status_code == status
    if status == 200:
        assert "No meeting is planned." in response.content.decode()


def test_the_dashboard_shows_the_loops_figures_to_those_who_may_read_the_task_force(client, login, demo):
    login(roles.MONITOR)
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert "without a decision" in page and "overdue action item" in page
    reader = get_user_model().objects.create_user("reader", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename__in=["view_programme", "view_recommendation"]))
    client.force_login(reader)
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert "active programmes" in page and "overdue action items" not in page
