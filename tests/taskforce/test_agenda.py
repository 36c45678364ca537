"""The agenda proposes itself: overdue actions, undecided critical alerts and old warnings, renewal decisions due
before the meeting after next, uncovered or at-risk recommendations; proposing again adds only what is new."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.continuity.services import dismiss
from programme_tracker.taskforce.agenda import Proposed, propose
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Meeting
from programme_tracker.taskforce.services import record_decision
from tests.builders import fund, make_programme

TODAY = timezone.localdate()


def at(days: int) -> datetime:
    """10:00 on the day `days` from today, in the site's time zone."""
    return timezone.make_aware(datetime.combine(TODAY + timedelta(days=days), time(10)))


@pytest.fixture
def meeting(base):
    return Meeting.objects.create(starts_at=at(7), place="Den Haag")


def expiring(owner, days: int):
    """A programme whose only secured funding ends `days` from today, and its funding-expiring alert."""
    programme = make_programme(owner)
    fund(programme, TODAY - timedelta(days=300), TODAY + timedelta(days=days), renewal_decision="not_applicable")
    run_scan(TODAY, rules=["funding-expiring"])
    return programme, Alert.objects.get(rule="funding-expiring", programme=programme)


def proposed(meeting) -> set[str]:
    return set(meeting.agenda_items.filter(origin="proposed").values_list("proposal", flat=True))


def test_critical_alerts_and_old_warnings_without_a_decision_or_open_action_are_proposed(meeting, accounts):
    owner, secretary = accounts[roles.FINANCE_OFFICER], accounts[roles.COORDINATOR]
    _p, critical = expiring(owner, 10)
    _p, old_warning = expiring(owner, 60)
    Alert.objects.filter(pk=old_warning.pk).update(opened_at=timezone.now() - timedelta(days=15))
    _p, new_warning = expiring(owner, 61)
    _p, info = expiring(owner, 150)
    _p, decided = expiring(owner, 11)
    record_decision(actor=secretary, decided_on=TODAY, kind="other", text="Bridging money.", alerts=[decided])
    _p, acted = expiring(owner, 12)
    ActionItem.objects.create(what="Ask", owner=owner, due_on=TODAY + timedelta(days=30)).alerts.add(acted)
    _p, acted_before = expiring(owner, 13)
    ActionItem.objects.create(what="Asked", owner=owner, due_on=TODAY, state="done", done_on=TODAY,
                              evidence="Letter").alerts.add(acted_before)
    _p, dismissed = expiring(owner, 14)
    dismiss(dismissed.pk, actor=secretary, reason="Known", accepted_until=TODAY + timedelta(days=30))
    assert (new_warning.severity, info.severity) == ("warning", "info")

    assert propose(meeting.pk, actor=secretary).added == 3
    assert proposed(meeting) == {f"alert:{a.pk}" for a in (critical, old_warning, acted_before)}
    item = meeting.agenda_items.get(alert=critical)
    assert item.title.startswith(critical.subject_label) and item.history.get().history_user == secretary


def test_overdue_actions_are_proposed_first(meeting, accounts):
    owner = accounts[roles.TASK_FORCE_MEMBER]
    late = ActionItem.objects.create(what="Ask VWS", owner=owner, due_on=TODAY + timedelta(days=6))
    ActionItem.objects.create(what="Later", owner=owner, due_on=TODAY + timedelta(days=7))  # due on the day: not late
    ActionItem.objects.create(what="Done", owner=owner, due_on=TODAY, state="done", done_on=TODAY, evidence="Note")
    expiring(accounts[roles.FINANCE_OFFICER], 10)
    propose(meeting.pk, actor=None)
    first = meeting.agenda_items.order_by("position").first()
    assert (first.proposal, first.action) == (f"action:{late.pk}", late)
    assert "Ask VWS" in first.title and owner.username in first.title


@pytest.mark.parametrize(("next_meeting", "end_days", "proposed_too"), [
    (40, 159, True),   # notice date (end − 120) is day 39: before the next meeting on day 40
    (40, 160, False),  # notice date on day 40, the day of the next meeting: not before it
    (None, 211, True),  # no later meeting planned: three months after this one (day 7 → about day 99)
    (None, 260, False),
])
def test_renewal_decisions_due_before_the_meeting_after_next_are_proposed(meeting, accounts, next_meeting, end_days,
                                                                         proposed_too):
    if next_meeting:
        Meeting.objects.create(starts_at=at(next_meeting))
    programme = make_programme(accounts[roles.FINANCE_OFFICER])
    period = fund(programme, TODAY - timedelta(days=300), TODAY + timedelta(days=end_days))
    propose(meeting.pk, actor=None)
    assert (f"renewal:{period.pk}" in proposed(meeting)) is proposed_too
    if proposed_too:
        assert meeting.agenda_items.get(proposal=f"renewal:{period.pk}").programme == programme


def test_uncovered_recommendations_are_proposed_once_each(meeting):
    run_scan(TODAY, rules=["recommendation-uncovered"])
    uncovered = set(Alert.objects.filter(rule="recommendation-uncovered").values_list("recommendation_id", flat=True))
    assert uncovered  # nothing implements the First Report's recommendations yet
    propose(meeting.pk, actor=None)
    assert proposed(meeting) == {f"recommendation:{pk}" for pk in uncovered}


def test_proposing_again_adds_only_what_is_new_and_leaves_the_secretarys_changes(meeting, accounts):
    owner = accounts[roles.FINANCE_OFFICER]
    _p, first = expiring(owner, 10)
    assert propose(meeting.pk, actor=None).added == 1
    item = meeting.agenda_items.get()
    item.position, item.outcome = 5, AgendaItem.Outcome.DROPPED
    item.save()
    meeting.agenda_items.create(title="Any other business", position=6)
    assert propose(meeting.pk, actor=None).added == 0
    _p, second = expiring(owner, 11)
    assert propose(meeting.pk, actor=None).added == 1
    items = list(meeting.agenda_items.order_by("position").values_list("proposal", "position", "outcome"))
    # The new proposal goes before the secretary's closing item, which moves down one.
    assert items == [(f"alert:{first.pk}", 5, "dropped"), (f"alert:{second.pk}", 6, ""), ("", 7, "")]


def test_proposals_go_between_the_opening_and_any_other_business(meeting, accounts):
    meeting.agenda_items.create(title="Opening", position=1)
    meeting.agenda_items.create(title="Any other business", position=99)
    expiring(accounts[roles.FINANCE_OFFICER], 10)
    expiring(accounts[roles.FINANCE_OFFICER], 11)
    propose(meeting.pk, actor=None)
    assert list(meeting.agenda_items.order_by("position").values_list("title", "position"))[::3] == [
        ("Opening", 1), ("Any other business", 99)]
    assert list(meeting.agenda_items.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 99]


def test_an_overdue_action_is_proposed_once_not_also_as_its_alert(meeting, accounts):
    owner = accounts[roles.TASK_FORCE_MEMBER]
    action = ActionItem.objects.create(what="Ask VWS", owner=owner, due_on=TODAY - timedelta(days=30))
    run_scan(TODAY, rules=["action-overdue"])
    assert Alert.objects.get(rule="action-overdue").severity == "critical"
    propose(meeting.pk, actor=None)
    assert proposed(meeting) == {f"action:{action.pk}"}


def test_a_title_names_the_subject_once(meeting):
    run_scan(TODAY, rules=["recommendation-uncovered"])
    propose(meeting.pk, actor=None)
    item = meeting.agenda_items.filter(recommendation__isnull=False).first()
    code = item.recommendation.code
    assert item.title.count(code) == 1 and not item.title.startswith(f"{code}: {code}")


def test_only_a_planned_meeting_gets_proposals(meeting, accounts):
    expiring(accounts[roles.FINANCE_OFFICER], 10)
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    assert propose(meeting.pk, actor=None).added == 0


def test_the_proposal_reads_each_kind_with_two_queries_whatever_it_finds(meeting, accounts):
    owner = accounts[roles.FINANCE_OFFICER]

    def queries_for(count):
        AgendaItem.objects.all().delete()
        for _ in range(count):
            expiring(owner, 10)
            ActionItem.objects.create(what="Ask", owner=owner, due_on=TODAY)
            fund(make_programme(owner), TODAY - timedelta(days=300), TODAY + timedelta(days=100))
        with CaptureQueriesContext(connection) as queries:
            propose(meeting.pk, actor=None)
        return len(queries)

    assert queries_for(1) == queries_for(10)


def test_the_meeting_list_proposes_the_agenda_of_the_meetings_chosen(client, login, meeting, accounts):
    expiring(accounts[roles.FINANCE_OFFICER], 10)
    login(roles.COORDINATOR)
    response = client.post("/desk/taskforce/meeting/", {"action": "propose_agenda", "_selected_action": [meeting.pk]},
                           follow=True)
    assert "1 item proposed." in response.content.decode()
    assert meeting.agenda_items.filter(origin="proposed").count() == 1
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    response = client.post("/desk/taskforce/meeting/", {"action": "propose_agenda", "_selected_action": [meeting.pk]},
                           follow=True)
    assert "is not planned but held: only a planned meeting gets proposals." in response.content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(status="planned")
    login(roles.TASK_FORCE_MEMBER)
    client.post("/desk/taskforce/meeting/", {"action": "propose_agenda", "_selected_action": [meeting.pk]})
    assert meeting.agenda_items.count() == 1  # members read the agenda; they do not make it


def test_at_most_so_many_of_each_kind_are_proposed_the_most_urgent_first_and_the_rest_counted(
        meeting, accounts, settings, client, login):
    owner = accounts[roles.FINANCE_OFFICER]
    settings.CONTINUITY = {**settings.CONTINUITY, "agenda_proposals_per_kind": 2}
    alerts = [expiring(owner, days)[1] for days in (10, 11, 12)]
    actions = [ActionItem.objects.create(what=f"Ask {n}", owner=owner, due_on=TODAY - timedelta(days=n))
               for n in (1, 2, 3)]
    done = propose(meeting.pk, actor=None)
    assert (done.added, done.left_out) == (4, 2)
    # The longest overdue actions, and the oldest critical alerts.
    assert proposed(meeting) == {f"action:{actions[2].pk}", f"action:{actions[1].pk}", f"alert:{alerts[0].pk}",
                                 f"alert:{alerts[1].pk}"}
    again = propose(meeting.pk, actor=None)
    assert (again.added, again.left_out) == (0, 2)
    record_decision(actor=None, decided_on=TODAY, kind="other", text="Bridge it.", alerts=[alerts[0]])
    meeting.agenda_items.filter(proposal=f"alert:{alerts[0].pk}").delete()  # decided and taken off: room for one
    assert propose(meeting.pk, actor=None) == Proposed(1, 1) and f"alert:{alerts[2].pk}" in proposed(meeting)
    login(roles.COORDINATOR)
    page = client.post("/desk/taskforce/meeting/", {"action": "propose_agenda", "_selected_action": [meeting.pk]},
                       follow=True).content.decode()
    assert "1 more qualifies but was left out: at most 2 items of each kind are proposed" in page  # an action


@pytest.mark.parametrize(("url", "action"), [("/desk/taskforce/meeting/", "propose_agenda"),
                                             ("/desk/portfolio/programme/", "delete_selected")])
@pytest.mark.parametrize("forged", ["abc", "9" * 23, "²", "-1e3"])
def test_a_forged_record_in_an_admin_action_is_refused_with_a_notice(client, login, meeting, url, action, forged):
    login(roles.COORDINATOR)
    response = client.post(url, {"action": action, "_selected_action": [forged]}, follow=True)
    assert response.status_code == 200
    assert "The records chosen are not of this list; nothing was done." in response.content.decode()
