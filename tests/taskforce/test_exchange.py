"""The task force in the portfolio exchange: members, meetings with their agendas, decisions, actions and the
alerts they refer to go out and come back identical, a second import changes nothing, and a wrong reference is a
problem naming its section, record and field."""

import copy
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.continuity.scan import run_scan
from programme_tracker.portfolio.exchange import PortfolioImportError, export_portfolio, import_portfolio
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.agenda import propose
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member
from programme_tracker.taskforce.services import record_decision, record_outcome
from tests.portfolio.test_exchange import empty_the_register

SECTIONS = ("task_force_alerts", "task_force_members", "task_force_meetings", "task_force_decisions",
            "task_force_actions")


@pytest.fixture
def document(accounts):
    """The demo's task force after a meeting run today: decisions on alerts, an action, an item deferred, a
    decision replaced by a later one."""
    today = timezone.localdate()
    load_demo(today)
    run_scan(today)
    meeting = Meeting.objects.get(status="planned")
    propose(meeting.pk, actor=None)
    secretary, member = accounts[roles.COORDINATOR], accounts[roles.TASK_FORCE_MEMBER]
    items = list(meeting.agenda_items.filter(origin="proposed").order_by("position"))
    alert_item = next(item for item in items if item.alert_id)
    record_outcome(alert_item.pk, actor=secretary, version=alert_item.version, outcome="decided",
                   decision={"kind": "accept_risk", "text": "Accept it.", "accepted_until": today + timedelta(30)},
                   action={"what": "Check again", "owner": member, "due_on": today + timedelta(days=20)})
    deferred = AgendaItem.objects.create(meeting=meeting, position=60, title="The communication plan")
    record_outcome(deferred.pk, actor=secretary, version=deferred.version, outcome="deferred")
    later = Meeting.objects.create(starts_at=meeting.starts_at + timedelta(days=60))
    propose(later.pk, actor=None)
    old = Decision.objects.order_by("year", "sequence").first()
    new = record_decision(actor=secretary, decided_on=today, kind="other", text="Replaces the first.")
    old.state, old.superseded_by = "superseded", new
    old.save()
    return export_portfolio()


def test_every_part_of_the_task_force_is_in_the_document(document):
    assert [len(document[section]) > 0 for section in SECTIONS] == [True] * 5
    assert len(document["task_force_decisions"]) == Decision.objects.count()
    assert len(document["task_force_actions"]) == ActionItem.objects.count()
    assert sum(len(m["agenda"]) for m in document["task_force_meetings"]) == AgendaItem.objects.count()
    assert {p["username"] for p in document["people"]} >= {"a.jansen", "member", "task-force-member"}
    proposals = [entry["proposal"] for m in document["task_force_meetings"] for entry in m["agenda"]]
    assert any(p.startswith("deferred:") and "#" in p for p in proposals)
    assert any(p.startswith("renewal:") for p in proposals) and not any(p.split(":")[-1].isdigit() and
                                                                         not p.startswith("deferred")
                                                                         for p in proposals)
    replaced = next(d for d in document["task_force_decisions"] if d["state"] == "superseded")
    assert replaced["superseded_by"] == Decision.objects.order_by("-year", "-sequence").first().number


def test_round_trip_into_an_empty_site_is_identical(document):
    empty_the_register()
    AlertEvent.objects.all().delete()
    Alert.objects.all().delete()
    import_portfolio(copy.deepcopy(document))
    assert export_portfolio() == document
    dismissed = Alert.objects.get(state="dismissed")
    assert dismissed.task_force_decisions.get().kind == "accept_risk"


def test_a_second_import_changes_nothing(document):
    models = (Member, Meeting, AgendaItem, Decision, ActionItem)
    before = [model.history.count() for model in models]
    counts = import_portfolio(copy.deepcopy(document))
    assert [model.history.count() for model in models] == before
    for section in SECTIONS:
        assert counts[section]["created"] == counts[section]["updated"] == 0, section
    assert export_portfolio() == document


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["task_force_actions"][0].update(owner="nobody-here"),
     "task_force_actions {ref}: owner: unknown person 'nobody-here'"),
    (lambda d: d["task_force_decisions"][0].update(meeting="2001-01-01T10:00:00Z"),
     "task_force_decisions TF-"),
    (lambda d: d["task_force_meetings"][0].update(starts_at="next tuesday"),
     "task_force_meetings next tuesday: starts_at: must be the start in UTC"),
    (lambda d: d["task_force_meetings"][0]["agenda"].append({"title": "x", "colour": "red"}),
     "must be an object of position, title"),
    (lambda d: d["task_force_actions"][0].update(alerts=["no-such-rule|task_force|"]),
     "alerts: unknown alert 'no-such-rule|task_force|'"),
    (lambda d: d["task_force_alerts"][0].update(alert="funding-gap|programme:NOPE|2027-01-01"),
     "alert: unknown programme 'NOPE'"),
    (lambda d: d["task_force_alerts"][0].update(alert="funding-gap|funding_period:|2027-01-01"),
     "unknown kind of subject 'funding_period:'"),
    (lambda d: d["task_force_alerts"][0].update(alert="a|b|c|d"), "alert: must be rule|subject|key"),
    (lambda d: d["task_force_alerts"][0].update(alert="x|programme:COSA@funding_period:COSA-1|k"),
     "unknown kind of subject"),
    (lambda d: d["task_force_decisions"][0].update(number="TF-27-4"), "number: must be TF-<year>-<number>"),
    (lambda d: d["task_force_actions"][0].update(due_on="2026-02-30"), "due_on"),
    (lambda d: d["task_force_members"][0].update(seats="chair"), "seats: must be a list"),
])
def test_a_wrong_record_is_named_and_nothing_is_imported(document, change, problem):
    wrong = copy.deepcopy(document)
    reference = wrong["task_force_actions"][0]["reference"]
    change(wrong)
    before = (Decision.objects.count(), ActionItem.objects.count(), AgendaItem.objects.count())
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(wrong)
    assert any(problem.format(ref=reference) in error for error in caught.value.errors), caught.value.errors
    assert (Decision.objects.count(), ActionItem.objects.count(), AgendaItem.objects.count()) == before


def test_an_export_without_people_names_nobody_in_the_task_force(document):
    anonymous = export_portfolio(without_people=True)
    names = set(get_user_model().objects.values_list("username", flat=True))
    named = ([m["person"] for m in anonymous["task_force_members"]] + [a["owner"] for a in anonymous[
        "task_force_actions"]] + [d["new_owner"] for d in anonymous["task_force_decisions"] if d["new_owner"]])
    assert named and not names & set(named)
    assert all(name.startswith("person-") for name in named)


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["task_force_alerts"][0].update(message_data=[{"t": "%(x)s %(y)s", "a": {"x": 1}}]),
     "message_data: cannot be shown"),
    (lambda d: d["task_force_alerts"][0].update(message_data=[{"t": "%(d)s", "a": {"d": {"date": "2026-02-30"}}}]),
     "message_data: cannot be shown"),
    (lambda d: d["task_force_alerts"][0].update(message_data=[1]), "message_data: must be a list of"),
    (lambda d: d["task_force_meetings"].append({**d["task_force_meetings"][0], "agenda": [],
                                                "starts_at": d["task_force_meetings"][0]["starts_at"].replace(
                                                    "-0", "-", 1)}), "starts_at: must be the start in UTC"),
    (lambda d: d["task_force_meetings"].append({**d["task_force_meetings"][0], "agenda": [],
                                                "starts_at": "9999-12-31T23:59:59Z"}), "starts_at: Give a start"),
    (lambda d: d["task_force_meetings"][0].update(agenda=[{"title": f"Item {n}"} for n in range(201)]),
     "agenda: at most 200 items"),
    (lambda d: d["task_force_decisions"][0].update(number="TF-2026-999999"), "number: must be TF-<year>-<number>"),
    (lambda d: d["task_force_decisions"][0].update(number="TF-2030-001"), "decided_on: must be in the year"),
    (lambda d: d["task_force_actions"][0].update(reference=d["task_force_actions"][0]["reference"].upper()),
     "reference: must be a UUID as an export writes it"),
])
def test_a_document_that_would_break_a_page_or_a_later_import_is_refused(document, change, problem):
    wrong = copy.deepcopy(document)
    change(wrong)
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(wrong)
    assert any(problem in error for error in caught.value.errors), caught.value.errors


def test_an_agenda_listed_out_of_the_order_of_its_positions_imports_once(document):
    reordered = copy.deepcopy(document)
    agenda = next(m for m in reordered["task_force_meetings"] if len(m["agenda"]) > 3)["agenda"]
    agenda[0], agenda[1] = agenda[1], agenda[0]  # listed out of order, positions as they were
    import_portfolio(copy.deepcopy(reordered))
    history = AgendaItem.history.count()
    counts = import_portfolio(copy.deepcopy(reordered))
    assert AgendaItem.history.count() == history and counts["task_force_meetings"]["updated"] == 0
    assert export_portfolio() == document
