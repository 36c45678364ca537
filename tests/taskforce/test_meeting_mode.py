"""Meeting mode: the secretary walks the agenda and records per item an outcome, a decision and an action item
without leaving the page (htmx), or with a plain form; errors name their field and save nothing; a stale copy is
refused; members read; an item deferred comes back on the next agenda once."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Organisation
from programme_tracker.taskforce.agenda import propose
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def meeting(demo):
    """Today's meeting (the demo's), with the register's proposals on its agenda."""
    meeting = Meeting.objects.get(status="planned")
    propose(meeting.pk, actor=None)
    return meeting


def critical_item(meeting):
    return meeting.agenda_items.filter(alert__severity="critical", alert__funding_period__isnull=False).first()


def record(client, item, htmx=True, **fields):
    data = {f"item-{item.pk}-{name}": value for name, value in {"version": item.version, **fields}.items()}
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("desk:meeting-item", args=[item.meeting_id, item.pk]), data, **extra)


def test_the_page_walks_the_agenda_with_each_subjects_facts(client, login, meeting):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    page = client.get(reverse("desk:meeting", args=[meeting.pk])).content.decode()
    for entry in meeting.agenda_items.all():
        assert f'id="item-{entry.pk}"' in page and f'href="#item-{entry.pk}"' in page
    section = page[page.index(f'id="item-{item.pk}"'):]
    section = section[:section.index("</section>")]
    assert item.alert.localized_message in section.replace("&#x27;", "'")
    assert "Secured until" in section and "Amount at stake" in section and "€" in section
    assert f'id="record-{item.pk}"' in section


def test_accepting_the_risk_records_a_numbered_decision_dismisses_the_alert_and_marks_the_meeting_held(
        client, login, meeting, demo, accounts):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    until = demo + timedelta(days=90)
    response = record(client, item, outcome="decided", note="Bridging money is on its way.",
                      decision_kind="accept_risk", decision_text="Accept the gap until the new grant starts.",
                      decision_accepted_until=until.isoformat())
    assert response.status_code == 200
    fragment = response.content.decode()
    decision = Decision.objects.get(agenda_item=item)
    assert decision.number in fragment and "Recorded." in fragment and 'id="item-' in fragment
    assert "<html" not in fragment  # only the item's part, swapped in place
    assert decision.meeting == meeting and decision.decided_on == demo and list(decision.alerts.all()) == [item.alert]
    assert decision.programmes.get() == item.alert.programme
    item.refresh_from_db()
    assert (item.outcome, item.note) == ("decided", "Bridging money is on its way.")
    alert = Alert.objects.get(pk=item.alert_id)
    assert alert.state == "dismissed" and alert.accepted_until == until and decision.number in alert.dismissed_reason
    assert Meeting.objects.get(pk=meeting.pk).status == "held"
    assert item.history.first().history_user == accounts[roles.COORDINATOR]


def test_an_action_agreed_with_a_decision_follows_from_it(client, login, meeting, demo, accounts):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    owner = accounts[roles.TASK_FORCE_MEMBER]
    response = record(client, item, outcome="decided", decision_kind="continue_funding",
                      decision_text="Extend the grant by a year.", action_what="Draft the extension letter",
                      action_owner=owner.pk, action_due_on=(demo + timedelta(days=14)).isoformat(),
                      action_organisation=Organisation.objects.get(short_name="VWS").pk)
    assert response.status_code == 200
    action = ActionItem.objects.get(agenda_item=item)
    assert action.decision == Decision.objects.get(agenda_item=item) and action.owner == owner
    assert list(action.alerts.all()) == [item.alert] and action.state == "open"
    assert "Draft the extension letter" in response.content.decode()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"outcome": "decided", "decision_kind": "accept_risk", "decision_text": "Accept it."},
     "decision_accepted_until", "Give the day until which the risk is accepted."),
    ({"outcome": "decided"}, "decision_text", "Record the decision taken on this item."),
    ({"outcome": "actions"}, "action_what", "Record the action agreed on this item."),
    ({"outcome": "actions", "action_what": "Call VWS", "action_due_on": "2026-02-30"}, "action_due_on",
     "Enter a valid date."),
    ({"outcome": "actions", "action_what": "Call VWS"}, "action_owner", "Choose who does it."),
    ({"outcome": "actions", "action_what": "Call VWS"}, "action_due_on", "Give the day it is due."),
    ({"decision_text": "Go on."}, "decision_kind", "Choose the kind of decision."),
    ({"outcome": "sideways"}, "outcome", "Select a valid choice."),
    ({"outcome": "decided", "decision_kind": "transfer_ownership", "decision_text": "Hand it over."},
     "decision_new_owner", "Give the new owner."),
])
def test_a_refused_outcome_names_its_field_and_saves_nothing(client, login, meeting, fields, field, message):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    before = (Decision.objects.count(), ActionItem.objects.count(), item.version)
    response = record(client, item, **fields)
    page = response.content.decode()
    assert response.status_code == 200 and message in page.replace("&#x27;", "'")
    name = f"item-{item.pk}-{field}"
    assert f'id="id_{name}-error"' in page and f'aria-describedby="id_{name}-error"' in page
    item.refresh_from_db()
    assert (Decision.objects.count(), ActionItem.objects.count(), item.version) == before
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_a_stale_copy_is_refused_and_shows_what_the_other_secretary_recorded(client, login, meeting):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    stale = AgendaItem.objects.get(pk=item.pk)
    item.note = "Recorded by the other secretary."
    item.outcome = "noted"
    item.save()
    page = record(client, stale, outcome="deferred").content.decode()
    assert "Recorded by the other secretary." in page and "someone else recorded this item at" in page
    assert AgendaItem.objects.get(pk=item.pk).outcome == "noted"
    assert f'name="item-{item.pk}-version" value="{item.version}"' in page  # sent again, it is recorded


def test_without_javascript_the_form_is_redirected_back_to_its_item(client, login, meeting):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    response = record(client, item, htmx=False, outcome="noted")
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    assert AgendaItem.objects.get(pk=item.pk).outcome == "noted"
    response = record(client, AgendaItem.objects.get(pk=item.pk), htmx=False, outcome="decided")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1] == "Decision: Record the decision taken on this item."


def test_outcomes_wait_for_the_day_of_the_meeting_and_a_cancelled_meeting_takes_none(client, login, meeting, demo):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(demo + timedelta(days=1)))
    assert "Outcomes are recorded from the day of the meeting on." in record(client, item, outcome="noted").content \
        .decode()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=at(demo), status="cancelled")
    assert "This meeting was cancelled." in record(client, item, outcome="noted").content.decode()
    assert AgendaItem.objects.get(pk=item.pk).outcome == ""
    page = client.get(reverse("desk:meeting", args=[meeting.pk])).content.decode()
    assert f'id="record-{item.pk}"' not in page


def test_a_member_reads_meeting_mode_but_records_nothing(client, login, meeting):
    login(roles.TASK_FORCE_MEMBER)
    item = critical_item(meeting)
    page = client.get(reverse("desk:meeting", args=[meeting.pk])).content.decode()
    assert item.title[:40] in page and "<form method=\"post\" action=\"/desk/task-force" not in page
    assert record(client, item, outcome="noted").status_code == 403
    assert AgendaItem.objects.get(pk=item.pk).outcome == ""


def test_an_item_of_another_meeting_or_none_is_not_found(client, login, meeting):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    other = Meeting.objects.filter(status="held").first()
    url = reverse("desk:meeting-item", args=[other.pk, item.pk])
    assert client.post(url, {f"item-{item.pk}-version": 0}).status_code == 404
    assert client.get(reverse("desk:meeting", args=[987654])).status_code == 404
    assert client.get(reverse("desk:meeting-item", args=[meeting.pk, item.pk])).status_code == 405


@pytest.mark.parametrize(("who", "page", "post"), [
    (roles.COORDINATOR, 200, 200), (roles.ADMINISTRATOR, 200, 200), (roles.TASK_FORCE_MEMBER, 200, 403),
    (roles.MONITOR, 200, 403), (roles.FINANCE_OFFICER, 200, 403), ("staff without a role", 403, 403),
    ("anonymous", 302, 302),
])
def test_who_opens_meeting_mode_and_who_records(client, login, meeting, who, page, post):
    login(who)
    item = critical_item(meeting)
    assert client.get(reverse("desk:meeting", args=[meeting.pk])).status_code == page
    assert record(client, item, outcome="noted").status_code == post
    added = client.post(reverse("desk:meeting-add-item", args=[meeting.pk]), {"title": "Any other business"})
    assert added.status_code == (302 if post == 200 else post)
    for kind in ("agenda", "minutes"):
        assert client.get(reverse("desk:meeting-document", args=[meeting.pk, kind, "pdf"])).status_code == page


def test_a_deferred_item_comes_back_on_the_next_agenda_once(client, login, meeting, demo):
    login(roles.COORDINATOR)
    free = AgendaItem.objects.create(meeting=meeting, position=50, title="The communication plan")
    alert_item = critical_item(meeting)
    assert record(client, free, outcome="deferred").status_code == 200
    assert record(client, alert_item, outcome="deferred").status_code == 200
    later = Meeting.objects.create(starts_at=at(demo + timedelta(days=90)))
    propose(later.pk, actor=None)
    titles = list(later.agenda_items.values_list("title", flat=True))
    assert titles.count("The communication plan") == 1
    # The alert comes back once: as the undecided alert it still is, not a second time as a deferred item.
    assert later.agenda_items.filter(alert=alert_item.alert).count() == 1
    propose(later.pk, actor=None)
    even_later = Meeting.objects.create(starts_at=at(demo + timedelta(days=180)))
    propose(even_later.pk, actor=None)
    assert later.agenda_items.filter(title="The communication plan").count() == 1
    assert not even_later.agenda_items.filter(title="The communication plan").exists()


def test_meeting_mode_and_its_minutes_take_as_many_queries_for_three_times_the_agenda(client, login, meeting, demo):
    """Set-based: the page reads the database a fixed number of times however long the agenda is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(roles.COORDINATOR)

    def counted():
        found = {}
        for name, url in (("page", reverse("desk:meeting", args=[meeting.pk])),
                          ("minutes", reverse("desk:meeting-document", args=[meeting.pk, "minutes", "docx"])),
                          ("task force", reverse("desk:task-force"))):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found[name] = len(queries)
        return found

    before = counted()
    items = list(meeting.agenda_items.exclude(proposal=""))
    for copy in range(2):
        for item in items:
            AgendaItem.objects.create(meeting=meeting, position=100 + copy, title=item.title, alert=item.alert,
                                      programme=item.programme, recommendation=item.recommendation,
                                      action=item.action, origin="proposed", proposal=item.proposal)
    assert meeting.agenda_items.count() >= 3 * len(items)
    assert counted() == before


@pytest.mark.parametrize("value", ["abc", "9" * 30, "\x00", "-1", "9999-12-31", "0001-01-01", "a" * 6000, "²", ""])
def test_any_value_in_any_field_is_refused_on_the_form_never_with_a_server_error(client, login, meeting, value):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    names = ["version", "outcome", "note", "decision_kind", "decision_text", "decision_organisation",
             "decision_deadline", "decision_accepted_until", "decision_new_owner", "action_what", "action_owner",
             "action_organisation", "action_due_on"]
    for name in names:
        fields = {"outcome": "decided", "decision_kind": "other", "decision_text": "Go on.", name: value}
        response = client.post(reverse("desk:meeting-item", args=[meeting.pk, item.pk]),
                               {f"item-{item.pk}-{key}": v for key, v in {"version": item.version, **fields}.items()},
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 200, name
        item = AgendaItem.objects.get(pk=item.pk)


def test_an_item_raised_in_the_meeting_is_added_at_the_end_and_shown(client, login, meeting):
    login(roles.COORDINATOR)
    url = reverse("desk:meeting-add-item", args=[meeting.pk])
    response = client.post(url, {"title": "  The   communication\nplan  "})
    item = meeting.agenda_items.order_by("-position", "-pk").first()
    assert item.title == "The communication plan" and item.origin == "added"
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    page = client.get(reverse("desk:meeting", args=[meeting.pk])).content.decode()
    assert f'id="item-{item.pk}"' in page and f'id="record-{item.pk}"' in page
    for title in ("", "x" * 301, "a\x00b"):
        before = meeting.agenda_items.count()
        response = client.post(url, {"title": title}, follow=True)
        assert response.status_code == 200 and meeting.agenda_items.count() == before
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    login(roles.TASK_FORCE_MEMBER)
    assert client.post(url, {"title": "Mine"}).status_code == 403
    assert 'id="add-item"' not in client.get(reverse("desk:meeting", args=[meeting.pk])).content.decode()


def test_the_problems_of_the_decision_and_the_action_show_at_once(client, login, meeting):
    login(roles.COORDINATOR)
    item = critical_item(meeting)
    page = record(client, item, outcome="decided", decision_kind="accept_risk", decision_text="Accept it.",
                  action_what="Call VWS").content.decode()
    for field in ("decision_accepted_until", "action_owner", "action_due_on"):
        assert f'id="id_item-{item.pk}-{field}-error"' in page, field
    focused = re.findall(r"<[^>]*autofocus[^>]*>", page)
    assert len(focused) == 1 and f'name="item-{item.pk}-decision_accepted_until"' in focused[0]  # the first


def test_a_meeting_holds_at_most_so_many_items_and_is_not_held_before_its_day(meeting, demo):
    from django.core.exceptions import ValidationError

    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=n, title=f"Item {n}")
                                    for n in range(AgendaItem.MAX_PER_MEETING - meeting.agenda_items.count())])
    with pytest.raises(ValidationError, match="at most 200 agenda items"):
        AgendaItem.objects.create(meeting=meeting, title="One too many")
    later = Meeting(starts_at=at(demo + timedelta(days=1)), status="held")
    with pytest.raises(ValidationError, match="still to come cannot have been held"):
        later.full_clean()
    with pytest.raises(ValidationError, match="Give a start from 1900 to 2999"):
        Meeting(starts_at=at(demo.replace(year=3000))).full_clean()


def test_an_alert_whose_message_cannot_be_shown_shows_its_stored_text(client, login, meeting):
    from programme_tracker.continuity.models import Alert

    alert = critical_item(meeting).alert
    Alert.objects.filter(pk=alert.pk).update(message_data=[{"t": "%(x)s %(y)s", "a": {"x": 1}}])
    login(roles.COORDINATOR)
    assert client.get(reverse("desk:meeting", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("desk:inbox")).status_code == 200
