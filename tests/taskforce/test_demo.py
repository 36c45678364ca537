"""The demo's task force: a year of meetings, decisions and actions with the loose ends the task-force rules catch,
the same however often and on whichever day the demo is loaded."""

from datetime import timedelta

from django.utils import timezone

from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from programme_tracker.setup.demo_taskforce import decide_on_a_demo_alert
from programme_tracker.taskforce.agenda import propose
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting, Member


def test_the_demo_task_force_has_its_loose_ends_and_loading_again_changes_nothing(accounts):
    today = timezone.localdate()
    load_demo(today)
    counts = [model.objects.count() for model in (Member, Meeting, Decision, ActionItem)]
    load_demo(today + timedelta(days=3))  # another day: the dates move, nothing is added
    assert [model.objects.count() for model in (Member, Meeting, Decision, ActionItem)] == counts == [4, 5, 2, 3]
    assert Member.objects.get(role="chair").person.username == "a.jansen"
    numbers = {decision.number for decision in Decision.objects.all()}
    assert len(numbers) == 2 and all(number.startswith("TF-") for number in numbers)
    run_scan(today + timedelta(days=3))
    found = set(Alert.objects.filter(state="open").values_list("rule", flat=True))
    assert {"action-overdue", "decision-not-implemented", "minutes-not-approved"} <= found
    overdue = Alert.objects.get(rule="action-overdue")
    assert overdue.assignee.username == "member" and overdue.severity == "critical"
    upcoming = Meeting.objects.get(status="planned")
    assert propose(upcoming.pk, actor=None).added > 0


def load_as_the_demo_command_does(today):
    load_demo(today)
    run_scan(today)
    decide_on_a_demo_alert(today)


def test_the_demo_leaves_one_alert_dismissed_by_a_decision_to_accept_the_risk(accounts):
    load_as_the_demo_command_does(timezone.localdate())
    decision = Decision.objects.get(kind="accept_risk")
    alert = decision.alerts.get()
    assert alert.state == "dismissed" and decision.number in alert.dismissed_reason
    assert alert.accepted_until == timezone.localdate() + timedelta(days=42)
    critical = Alert.objects.filter(state="open", severity="critical", task_force_decisions=None,
                                    task_force_actions=None)
    assert critical.exists()  # and critical problems nobody decided on
    load_as_the_demo_command_does(timezone.localdate())
    assert Decision.objects.filter(kind="accept_risk").count() == 1
