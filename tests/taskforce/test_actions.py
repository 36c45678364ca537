"""Action items: done with a day and the evidence, or cancelled with a reason, once; task-force members update only
the actions they own, and only how they ended; the secretariat keeps them all."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.taskforce.models import ActionItem, Decision
from programme_tracker.taskforce.services import cancel_action, complete_action
from tests.builders import browser_form_data


@pytest.fixture
def action(accounts):
    """An open action owned by the task-force member."""
    return ActionItem.objects.create(what="Ask VWS for the renewal decision", due_on=date(2027, 4, 1),
                                     owner=accounts[roles.TASK_FORCE_MEMBER])


def test_an_action_is_done_once_with_its_day_and_evidence(action, accounts):
    member = accounts[roles.TASK_FORCE_MEMBER]
    done = complete_action(action.pk, actor=member, done_on=date(2026, 3, 28), evidence=" Letter VWS-2027-118 ")
    assert (done.state, done.done_on, done.evidence) == ("done", date(2026, 3, 28), "Letter VWS-2027-118")
    assert done.history.latest().history_user == member
    with pytest.raises(ValidationError, match="already"):
        complete_action(action.pk, actor=member, done_on=date(2026, 3, 29), evidence="Again")


@pytest.mark.parametrize(("finish", "field"), [
    (lambda pk, actor: complete_action(pk, actor=actor, done_on=date(2026, 3, 28), evidence="  "), "evidence"),
    (lambda pk, actor: cancel_action(pk, actor=actor, reason=""), "cancelled_reason"),
])
def test_an_action_ended_without_what_it_needs_is_refused_by_field(action, accounts, finish, field):
    with pytest.raises(ValidationError) as refused:
        finish(action.pk, accounts[roles.TASK_FORCE_MEMBER])
    assert field in refused.value.message_dict
    assert ActionItem.objects.get(pk=action.pk).state == "open"


def test_a_member_marks_their_own_action_done_in_the_desk_and_changes_nothing_else(client, login, action):
    login(roles.TASK_FORCE_MEMBER)
    url = reverse("admin:taskforce_actionitem_change", args=[action.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = browser_form_data(page.content.decode(), "actionitem_form")
    assert "what" not in data and "owner" not in data and "due_on" not in data  # shown, not editable
    data.update({"state": ["done"], "done_on": ["2026-03-28"], "evidence": ["Letter VWS-2027-118"],
                 "what": ["Something else"], "due_on": ["2030-01-01"]})
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.state, action.evidence, action.what, action.due_on) == (
        "done", "Letter VWS-2027-118", "Ask VWS for the renewal decision", date(2027, 4, 1))


def test_a_member_cannot_change_someone_elses_action(client, login, accounts, action):
    action.owner = accounts[roles.COORDINATOR]
    action.save()
    login(roles.TASK_FORCE_MEMBER)
    url = reverse("admin:taskforce_actionitem_change", args=[action.pk])
    assert client.get(url).status_code == 200  # read
    assert client.post(url, {"state": "cancelled", "cancelled_reason": "Not mine"}).status_code == 403
    assert ActionItem.objects.get(pk=action.pk).state == "open"


def test_the_secretariat_changes_any_action(client, login, action):
    login(roles.COORDINATOR)
    url = reverse("admin:taskforce_actionitem_change", args=[action.pk])
    data = browser_form_data(client.get(url).content.decode(), "actionitem_form")
    data.update({"due_on": ["2027-05-01"]})
    assert client.post(url, data).status_code == 302
    assert ActionItem.objects.get(pk=action.pk).due_on == date(2027, 5, 1)


def test_my_action_items_and_the_late_ones(client, login, accounts, action):
    other = ActionItem.objects.create(what="Someone else's", due_on=date(2020, 1, 1), owner=accounts[roles.MONITOR])
    ActionItem.objects.create(what="Mine and done", due_on=date(2020, 1, 1), owner=accounts[roles.TASK_FORCE_MEMBER],
                              state="done", done_on=date(2020, 1, 2), evidence="Note")
    late = ActionItem.objects.create(what="Mine and late", due_on=date(2020, 1, 1),
                                     owner=accounts[roles.TASK_FORCE_MEMBER])
    login(roles.TASK_FORCE_MEMBER)
    url = reverse("admin:taskforce_actionitem_changelist")

    def listed(whose):
        return set(client.get(url, {"whose": whose}).context["cl"].result_list)

    assert listed("mine") == {action, late, *ActionItem.objects.filter(what="Mine and done")}
    assert listed("mine-late") == {late}
    assert listed("late") == {late, other}
    assert 'href="/desk/taskforce/actionitem/?whose=mine"' in client.get(url).content.decode()  # in the sidebar


def test_the_decision_page_lists_its_actions_but_ends_them_only_on_their_own_page(client, login, action):
    decision = Decision.objects.create(year=2027, sequence=1, decided_on=date(2027, 3, 1), kind="other", text="Go.")
    action.decision = decision
    action.save()
    login(roles.COORDINATOR)
    data = browser_form_data(client.get(reverse("admin:taskforce_decision_change", args=[decision.pk]))
                             .content.decode(), "decision_form")
    assert "actions-0-what" in data and "actions-0-state" not in data  # no choice here that cannot be saved


def test_an_action_is_not_done_on_a_day_still_to_come(action, accounts):
    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        complete_action(action.pk, actor=accounts[roles.TASK_FORCE_MEMBER], done_on=tomorrow, evidence="Letter")
    assert caught.value.message_dict == {"done_on": ["The day it was done cannot be after today."]}
    assert ActionItem.objects.get(pk=action.pk).state == "open"
    assert complete_action(action.pk, actor=None, done_on=timezone.localdate(), evidence="Letter").state == "done"
