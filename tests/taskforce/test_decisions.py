"""Decisions: numbered per year without gaps or doubles, checked field by field, and carried out: an accepted risk
dismisses its alerts until the day given (and they reopen after it), a transfer hands the programmes over."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.taskforce import services
from programme_tracker.taskforce.models import Decision, Meeting
from programme_tracker.taskforce.services import record_decision
from tests.builders import browser_form_data, fund, make_programme


@pytest.fixture
def meeting(base):
    return Meeting.objects.create(starts_at=datetime(2027, 3, 11, 9, tzinfo=UTC), place="Den Haag")


def decide(actor, on=date(2027, 3, 11), **fields):
    return record_decision(actor=actor, decided_on=on, **({"kind": "other", "text": "Go on."} | fields))


def test_decisions_are_numbered_per_year(meeting, accounts):
    secretary = accounts[roles.COORDINATOR]
    numbers = [decide(secretary, meeting=meeting).number for _ in range(3)]
    numbers.append(decide(secretary, on=date(2028, 1, 4)).number)
    assert numbers == ["TF-2027-001", "TF-2027-002", "TF-2027-003", "TF-2028-001"]
    assert Decision.objects.get(year=2027, sequence=2).history.get().history_user == secretary


def test_a_number_taken_meanwhile_makes_the_decision_take_the_next(meeting, accounts, monkeypatch):
    secretary = accounts[roles.COORDINATOR]
    decide(secretary)
    taken = []

    class AnotherSecretaryFirst:
        """Between reading the last number and saving, another secretary saves a decision with the next number."""

        def atomic(self, *args, **kwargs):
            if not taken:
                taken.append(Decision.objects.create(year=2027, sequence=2, decided_on=date(2027, 3, 11),
                                                     kind="other", text="Theirs."))
            return transaction.atomic(*args, **kwargs)

    monkeypatch.setattr(services, "transaction", AnotherSecretaryFirst())
    mine = decide(secretary, text="Mine.")
    assert len(taken) == 1 and mine.number == "TF-2027-003"
    assert list(Decision.objects.order_by("sequence").values_list("text", flat=True)) == ["Go on.", "Theirs.", "Mine."]


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "accept_risk"}, "accepted_until"),
    ({"kind": "other", "accepted_until": date(2027, 6, 1)}, "accepted_until"),
    ({"kind": "transfer_ownership"}, "new_owner"),
    ({"state": "superseded"}, "superseded_by"),
    ({"deadline": date(2027, 3, 10)}, "deadline"),
    ({"text": "Go on.\u202e"}, "text"),
])
def test_a_decision_missing_what_its_kind_needs_is_refused_by_field_and_nothing_is_saved(meeting, accounts, fields,
                                                                                         field):
    with pytest.raises(ValidationError) as refused:
        decide(accounts[roles.COORDINATOR], meeting=meeting, **fields)
    assert field in refused.value.message_dict
    assert not Decision.objects.exists()


def test_accepting_the_risk_dismisses_the_alerts_until_the_day_and_they_reopen_after_it(accounts):
    owner, secretary = accounts[roles.FINANCE_OFFICER], accounts[roles.COORDINATOR]
    today = timezone.localdate()
    programme = make_programme(owner)
    fund(programme, today - timedelta(days=300), today + timedelta(days=20))
    run_scan(today)
    alert = Alert.objects.get(rule="funding-expiring", state=AlertState.OPEN)
    until = today + timedelta(days=30)
    decision = decide(secretary, on=today, kind="accept_risk", accepted_until=until,
                      text="Bridging money agreed with the ministry.", alerts=[alert], programmes=[programme])
    alert.refresh_from_db()
    assert (alert.state, alert.accepted_until) == (AlertState.DISMISSED, until)
    assert alert.dismissed_reason.startswith(f"Decision {decision.number}: Bridging money")
    assert alert.events.latest("at").actor == secretary
    run_scan(until)
    alert.refresh_from_db()
    assert alert.state == AlertState.DISMISSED  # accepted up to and including that day
    run_scan(until + timedelta(days=1))
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_a_risk_accepted_until_a_past_day_is_refused_and_nothing_is_saved(accounts):
    owner = accounts[roles.FINANCE_OFFICER]
    today = timezone.localdate()
    fund(make_programme(owner), today - timedelta(days=300), today + timedelta(days=20))
    run_scan(today)
    alert = Alert.objects.get(rule="funding-expiring")
    with pytest.raises(ValidationError) as refused:
        decide(accounts[roles.COORDINATOR], on=today - timedelta(days=10), kind="accept_risk",
               accepted_until=today - timedelta(days=1), alerts=[alert])
    assert "accepted_until" in refused.value.message_dict
    assert not Decision.objects.exists()
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN


def test_a_transfer_of_ownership_hands_the_programmes_to_the_new_owner(accounts):
    old, new, secretary = accounts[roles.FINANCE_OFFICER], accounts[roles.MONITOR], accounts[roles.COORDINATOR]
    programme = make_programme(old)
    decide(secretary, kind="transfer_ownership", new_owner=new, programmes=[programme])
    programme.refresh_from_db()
    assert programme.owner == new
    assert programme.history.latest().history_user == secretary


def test_a_decision_recorded_in_the_desk_is_numbered_and_carried_out(client, login, accounts):
    owner = accounts[roles.FINANCE_OFFICER]
    today = timezone.localdate()
    fund(make_programme(owner), today - timedelta(days=300), today + timedelta(days=20))
    run_scan(today)
    alert = Alert.objects.get(rule="funding-expiring")
    secretary = login(roles.COORDINATOR)
    url = reverse("admin:taskforce_decision_add")
    data = browser_form_data(client.get(url).content.decode(), "decision_form")
    until = today + timedelta(days=30)
    data.update({"decided_on": [today.isoformat()], "kind": ["accept_risk"], "text": ["Bridging money agreed."],
                 "accepted_until": [until.isoformat()], "alerts": [str(alert.pk)]})
    assert client.post(url, data).status_code == 302
    decision = Decision.objects.get()
    assert decision.number == f"TF-{today.year}-001"
    alert.refresh_from_db()
    assert (alert.state, alert.accepted_until) == (AlertState.DISMISSED, until)
    assert alert.events.latest("at").actor == secretary


def test_the_kind_of_a_new_decision_is_chosen_not_preselected(client, login):
    login(roles.COORDINATOR)
    url = reverse("admin:taskforce_decision_add")
    data = browser_form_data(client.get(url).content.decode(), "decision_form")
    assert data["kind"] == [""]
    data.update({"decided_on": ["2027-03-11"], "text": ["Go on."]})
    response = client.post(url, data)
    assert response.status_code == 200 and "kind" in response.context["adminform"].form.errors
    assert not Decision.objects.exists()
