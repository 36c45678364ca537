"""The task force's rules, each a day either side of its boundaries: action-overdue, decision-needed,
decision-not-implemented, task-force-not-meeting and minutes-not-approved; and a change to the task force's
records runs them on commit."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.escalation import escalate
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications.models import Notification
from programme_tracker.portfolio.models import Organisation
from programme_tracker.portfolio.periods import add_months
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member
from programme_tracker.taskforce.services import chairs, complete_action
from tests.builders import T, day, fund, make_programme


def at(on: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour, minute)))


def found(rule: str, as_of: date = T) -> dict[str, str]:
    """subject → severity of the rule's active alerts after a scan of that rule on `as_of`."""
    run_scan(as_of, rules=[rule])
    return dict(Alert.objects.filter(rule=rule, state__in=("open", "acknowledged"))
                .values_list("subject_key", "severity"))


@pytest.fixture
def owner(accounts):
    return accounts[roles.TASK_FORCE_MEMBER]


@pytest.mark.parametrize(("due", "severity"), [(0, None), (-1, "warning"), (-14, "warning"), (-15, "critical")])
def test_action_overdue_the_day_after_it_was_due_and_critical_after_two_weeks(owner, due, severity):
    action = ActionItem.objects.create(what="Ask VWS", owner=owner, due_on=day(due))
    assert found("action-overdue").get(f"action:{action.pk}") == severity


def test_a_done_or_cancelled_action_is_not_overdue(owner):
    ActionItem.objects.create(what="Asked", owner=owner, due_on=day(-5), state="done", done_on=day(-6), evidence="L")
    ActionItem.objects.create(what="Not needed", owner=owner, due_on=day(-5), state="cancelled", cancelled_reason="X")
    assert found("action-overdue") == {}


@pytest.fixture
def problem(accounts):
    """A critical funding-expiring alert, active since a moment the test sets."""
    fund(make_programme(accounts[roles.FINANCE_OFFICER]), day(-300), day(10))
    run_scan(T, rules=["funding-expiring"])
    alert = Alert.objects.get(rule="funding-expiring")
    assert alert.severity == "critical"

    def opened(moment):
        Alert.objects.filter(pk=alert.pk).update(opened_at=moment)
        return alert

    return opened


@pytest.mark.parametrize(("moment", "fires"), [
    (at(day(-14), 0, 0), False),   # active 14 days on T: not more than 14
    (at(day(-15), 23, 59), True),  # opened the day before: more than 14 days
])
def test_decision_needed_after_two_weeks_of_a_critical_alert(problem, moment, fires):
    alert = problem(moment)
    assert (f"alert:{alert.pk}" in found("decision-needed")) is fires


def test_decision_needed_copies_the_alerts_programme_and_words(problem):
    alert = problem(at(day(-20)))
    found("decision-needed")
    needed = Alert.objects.get(rule="decision-needed")
    assert (needed.programme_id, needed.severity) == (alert.programme_id, "warning")
    assert alert.message in needed.message


@pytest.mark.parametrize(("handled", "fires"), [
    ("decision", False), ("open action", False), ("done action", True), ("planned agenda", False),
    ("dropped from the agenda", True), ("held meeting's agenda", True),
])
def test_a_decision_an_open_action_or_a_coming_agenda_item_answers_decision_needed(problem, owner, handled, fires):
    alert = problem(at(day(-20)))
    if handled == "decision":
        Decision.objects.create(year=2026, sequence=1, decided_on=day(-1), kind="other", text="Go.").alerts.add(alert)
    elif handled.endswith("action"):
        done = handled == "done action"
        ActionItem.objects.create(what="Ask", owner=owner, due_on=day(5), state="done" if done else "open",
                                  done_on=day(-1) if done else None, evidence="L" if done else "").alerts.add(alert)
    else:
        status = "held" if handled.startswith("held") else "planned"
        meeting = Meeting.objects.create(starts_at=at(day(3)), status=status)
        AgendaItem.objects.create(meeting=meeting, title="Helpline", alert=alert,
                                  outcome="dropped" if handled.startswith("dropped") else "")
    assert (f"alert:{alert.pk}" in found("decision-needed")) is fires


def test_the_task_forces_own_alerts_never_need_a_decision(owner):
    ActionItem.objects.create(what="Ask", owner=owner, due_on=day(-40))
    found("action-overdue")
    Alert.objects.filter(rule="action-overdue").update(opened_at=at(day(-30)))
    assert found("decision-needed") == {}


@pytest.mark.parametrize(("deadline", "severity"), [(0, None), (-1, "warning"), (-30, "warning"), (-31, "critical")])
def test_decision_not_implemented_after_its_deadline_with_actions_open(owner, deadline, severity):
    decision = Decision.objects.create(year=2026, sequence=4, decided_on=day(-60), kind="other", text="Go.",
                                       deadline=day(deadline))
    ActionItem.objects.create(what="Ask", owner=owner, due_on=day(deadline), decision=decision)
    ActionItem.objects.create(what="Asked", owner=owner, due_on=day(-60), decision=decision, state="done",
                              done_on=day(-61), evidence="L")
    assert found("decision-not-implemented").get(f"decision:{decision.pk}") == severity
    if severity:
        assert "TF-2026-004" in Alert.objects.get(rule="decision-not-implemented").message


@pytest.mark.parametrize("change", ["every action done", "superseded", "no deadline"])
def test_a_decision_carried_out_replaced_or_without_deadline_is_not_flagged(owner, change):
    decision = Decision.objects.create(year=2026, sequence=1, decided_on=day(-60), kind="other", text="Go.",
                                       deadline=None if change == "no deadline" else day(-5))
    ActionItem.objects.create(what="Ask", owner=owner, due_on=day(-10), decision=decision,
                              **({"state": "done", "done_on": day(-9), "evidence": "L"}
                                 if change == "every action done" else {}))
    if change == "superseded":
        newer = Decision.objects.create(year=2026, sequence=2, decided_on=day(-1), kind="other", text="Other.")
        Decision.objects.filter(pk=decision.pk).update(state="superseded", superseded_by=newer)
    assert found("decision-not-implemented") == {}


@pytest.fixture
def task_force(owner, problem):
    """A member since a year ago, and a critical alert open."""
    problem(at(day(-1)))
    Member.objects.create(person=owner, organisation=Organisation.objects.get(short_name="JenV"), since=day(-365))


@pytest.mark.parametrize(("last_held", "fires"), [
    (add_months(T, -3), False),                        # three months ago to the day: within the three months
    (add_months(T, -3) - timedelta(days=1), True),
    (None, True),                                      # never met
])
def test_task_force_not_meeting_for_three_months_while_critical_alerts_are_open(task_force, last_held, fires):
    if last_held:
        Meeting.objects.create(starts_at=at(last_held), status="held", minutes_approved_on=last_held)
    assert ("task_force" in found("task-force-not-meeting")) is fires


def test_a_planned_or_cancelled_meeting_is_not_a_meeting_held(task_force):
    Meeting.objects.create(starts_at=at(day(-10)), status="cancelled")
    Meeting.objects.create(starts_at=at(day(-5)))
    assert "task_force" in found("task-force-not-meeting")


@pytest.mark.parametrize("missing", ["members", "critical alerts"])
def test_task_force_not_meeting_needs_members_and_a_critical_alert(task_force, missing):
    if missing == "members":
        Member.objects.update(until=day(-1))
    else:
        Alert.objects.update(state="dismissed")
    assert found("task-force-not-meeting") == {}


@pytest.mark.parametrize(("held", "fires"), [(-21, False), (-22, True)])
def test_minutes_not_approved_three_weeks_after_the_meeting(base, held, fires):
    meeting = Meeting.objects.create(starts_at=at(day(held), 23, 30), status="held")
    Meeting.objects.create(starts_at=at(day(-60)), status="held", minutes_approved_on=day(-30))
    Meeting.objects.create(starts_at=at(day(-60)), status="cancelled")
    assert found("minutes-not-approved") == ({f"meeting:{meeting.pk}": "warning"} if fires else {})


def test_marking_an_action_done_resolves_its_alert_when_the_change_commits(owner, django_capture_on_commit_callbacks):
    action = ActionItem.objects.create(what="Ask VWS", owner=owner, due_on=timezone.localdate() - timedelta(days=2))
    run_scan(rules=["action-overdue"])
    alert = Alert.objects.get(rule="action-overdue")
    with django_capture_on_commit_callbacks(execute=True):
        complete_action(action.pk, actor=owner, done_on=timezone.localdate(), evidence="Letter")
    alert.refresh_from_db()
    assert alert.state == "resolved"


def test_the_owner_of_an_overdue_action_is_told_and_the_chair_hears_of_its_escalation(accounts):
    owner, chair = accounts[roles.TASK_FORCE_MEMBER], accounts[roles.MONITOR]
    jenv = Organisation.objects.get(short_name="JenV")
    Member.objects.create(person=chair, organisation=jenv, role="chair", since=day(-365))
    Member.objects.create(person=owner, organisation=jenv, since=day(-365), until=None)
    ActionItem.objects.create(what="Ask VWS", owner=owner, due_on=timezone.localdate() - timedelta(days=3))
    run_scan(rules=["action-overdue"])
    alert = Alert.objects.get(rule="action-overdue")
    assert alert.assignee == owner
    told = dict(Notification.objects.filter(alert=alert).values_list("recipient", "reason"))
    assert told == {owner.pk: "it is about something you are to do"}
    Alert.objects.filter(pk=alert.pk).update(state_changed_at=timezone.now() - timedelta(days=15))
    assert escalate() == 1
    escalated = set(Notification.objects.filter(alert=alert, event__kind="escalated")
                    .values_list("recipient", flat=True))
    assert escalated == {chair.pk, accounts[roles.COORDINATOR].pk}


def test_a_former_chair_is_not_told_of_escalations(accounts):
    chair = accounts[roles.MONITOR]
    Member.objects.create(person=chair, organisation=Organisation.objects.get(short_name="JenV"), role="chair",
                          since=day(-365), until=timezone.localdate() - timedelta(days=1))
    assert chairs() == []
