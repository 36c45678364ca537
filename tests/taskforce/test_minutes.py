"""The agenda and the minutes as DOCX and PDF, in Dutch and English, read back: every decision and action of the
meeting is in them, a text that breaks XML or markup is printed as typed, and each download is in the audit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from programme_tracker.accounts import roles
from programme_tracker.core.models import AuditEvent
from programme_tracker.taskforce.agenda import propose
from programme_tracker.taskforce.meeting import walk
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting
from programme_tracker.taskforce.services import record_outcome
from tests.documents import text_of

HOSTILE = "Fund <b>it</b> & keep it </para> going ‘now’ – € 1.000 <![CDATA[ ]]> &amp;"


def flat(text: str) -> str:
    """Text with its line breaks as spaces: a PDF wraps long cells."""
    return " ".join(text.split())


@pytest.fixture
def held(demo, accounts):
    """Today's demo meeting, run: a decision and an action on its first two proposed items, one item deferred."""
    meeting = Meeting.objects.get(status="planned")
    propose(meeting.pk, actor=None)
    secretary, owner = accounts[roles.COORDINATOR], accounts[roles.TASK_FORCE_MEMBER]
    first, second, third = meeting.agenda_items.filter(origin="proposed").order_by("position")[:3]
    record_outcome(first.pk, actor=secretary, version=first.version, outcome="decided", note="Urgent.",
                   decision={"kind": "continue_funding", "text": HOSTILE},
                   action={"what": "Write to the minister", "owner": owner, "due_on": demo + timedelta(days=7)})
    record_outcome(second.pk, actor=secretary, version=second.version, outcome="actions",
                   action={"what": "Phone the funder", "owner": secretary, "due_on": demo + timedelta(days=3)})
    record_outcome(third.pk, actor=secretary, version=third.version, outcome="deferred")
    return meeting


def download(client, meeting, kind, file_format, language):
    response = client.get(reverse("desk:meeting-document", args=[meeting.pk, kind, file_format]),
                          {"language": language})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_the_minutes_hold_every_decision_and_action_of_the_meeting(client, login, held, file_format):
    login(roles.COORDINATOR)
    response = download(client, held, "minutes", file_format, "en")
    text = flat(text_of(response.content, file_format))
    decisions = Decision.objects.filter(meeting=held)
    actions = ActionItem.objects.filter(agenda_item__meeting=held)
    assert decisions.count() == 1 and actions.count() == 2
    for decision in decisions:
        assert decision.number in text
    assert flat(HOSTILE) in text
    for action in actions:
        assert action.what in text
    assert "Draft: these minutes are not approved yet." in text and "Deferred to the next meeting" in text
    assert response["Content-Disposition"] == (f'attachment; filename="minutes-task-force-'
                                               f'{timezone.localdate(held.starts_at).isoformat()}.{file_format}"')
    assert AuditEvent.objects.filter(kind="export", detail__startswith="minutes-task-force").exists()


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_the_minutes_in_dutch(client, login, held, file_format):
    login(roles.COORDINATOR)
    response = download(client, held, "minutes", file_format, "nl")
    text = flat(text_of(response.content, file_format))
    assert "Concept: dit verslag is nog niet vastgesteld." in text and "Besluiten" in text
    assert "Actiepunten" in text and "Aangehouden tot de volgende vergadering" in text
    assert Decision.objects.get(meeting=held).number in text
    assert "verslag-taskforce-" in response["Content-Disposition"]


def test_the_agenda_lists_each_item_with_its_facts(client, login, demo):
    login(roles.COORDINATOR)
    meeting = Meeting.objects.get(status="planned")
    propose(meeting.pk, actor=None)
    text = flat(text_of(download(client, meeting, "agenda", "docx", "en").content, "docx"))
    with translation.override("en"):
        shown = walk(meeting, demo, money=True)
    assert len(shown) == meeting.agenda_items.count()
    for number, item in enumerate(shown, start=1):
        assert f"{number}. {flat(item.title)}" in text
    assert "Secured until" in text or "secured until" in text
    pdf = flat(text_of(download(client, meeting, "agenda", "pdf", "nl").content, "pdf"))
    assert "Agenda" in pdf and "Any other business" in pdf


def test_a_document_nobody_has_is_not_found(client, login, demo):
    login(roles.COORDINATOR)
    meeting = Meeting.objects.first()
    for kind, file_format in (("report", "pdf"), ("minutes", "odt"), ("minutes", "PDF")):
        assert client.get(reverse("desk:meeting-document", args=[meeting.pk, kind, file_format])).status_code == 404
    # An unknown language falls back to the page's own.
    assert download(client, meeting, "minutes", "pdf", "xx\x00").status_code == 200


def test_proposed_titles_are_worded_in_the_reader_s_language(client, login, demo):
    login(roles.COORDINATOR)
    meeting = Meeting.objects.get(status="planned")
    with translation.override("en"):
        propose(meeting.pk, actor=None)
    stored = set(meeting.agenda_items.values_list("title", flat=True))
    with translation.override("nl"):
        shown = {item.title for item in walk(meeting, demo, money=True)}
    assert any(title.startswith("Besluit over verlenging van") for title in shown)
    assert not any(title.startswith("Renewal decision") for title in shown)
    assert meeting.agenda_items.filter(title__startswith="Renewal decision").exists()  # stored as proposed
    assert shown != stored
