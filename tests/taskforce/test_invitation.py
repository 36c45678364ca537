"""The .ics invitation to a meeting: read back as iCalendar with its time, place, link and agenda; a later version
of the meeting supersedes the earlier copy; only those who may see meetings get it."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from programme_tracker.accounts import roles
from programme_tracker.taskforce.models import Meeting


@pytest.fixture
def meeting(base):
    meeting = Meeting.objects.create(starts_at=datetime(2027, 3, 11, 9, tzinfo=UTC), duration_minutes=90,
                                     place="Den Haag, Turfmarkt 147; zaal 2", online_link="https://example.invalid/tf")
    meeting.agenda_items.create(position=2, title="Renewal of the helpline, due 1 April")
    meeting.agenda_items.create(position=1, title="Opening")
    meeting.agenda_items.create(position=3, title="Dropped", outcome="dropped")
    return meeting


def event_of(response):
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="task-force-meeting-2027-03-11.ics"' in response["Content-Disposition"]
    return Calendar.from_ical(response.content).walk("VEVENT")[0]


def test_the_invitation_reads_back_with_time_place_and_agenda(client, login, meeting):
    login(roles.TASK_FORCE_MEMBER)
    url = reverse("admin:taskforce_meeting_invitation", args=[meeting.pk])
    event = event_of(client.get(url))
    assert event.decoded("dtstart") == meeting.starts_at
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 90 * 60
    assert str(event["location"]) == "Den Haag, Turfmarkt 147; zaal 2"
    assert str(event["url"]) == "https://example.invalid/tf"
    assert str(event["description"]).splitlines()[1:] == ["1. Opening", "2. Renewal of the helpline, due 1 April"]
    assert str(event["status"]) == "CONFIRMED" and int(event["sequence"]) == 0


def test_a_cancelled_meeting_updates_the_same_invitation(client, login, meeting):
    login(roles.COORDINATOR)
    url = reverse("admin:taskforce_meeting_invitation", args=[meeting.pk])
    before = event_of(client.get(url))
    meeting.status = "cancelled"
    meeting.save()
    after = event_of(client.get(url))
    assert str(after["uid"]) == str(before["uid"]) and int(after["sequence"]) > int(before["sequence"])
    assert str(after["status"]) == "CANCELLED"


@pytest.mark.parametrize(("who", "status"), [
    (roles.COORDINATOR, 200), (roles.FINANCE_OFFICER, 200), (roles.MONITOR, 200), (roles.ADMINISTRATOR, 200),
    (roles.TASK_FORCE_MEMBER, 200), ("staff without a role", 403), ("anonymous", 302),
])
def test_who_gets_the_invitation(client, login, meeting, who, status):
    login(who)
    assert client.get(reverse("admin:taskforce_meeting_invitation", args=[meeting.pk])).status_code == status


@pytest.mark.parametrize("object_id", ["999999", "abc", "²", "9" * 30])
def test_an_invitation_to_no_meeting_is_not_found(client, login, base, object_id):
    login(roles.COORDINATOR)
    assert client.get(f"/desk/taskforce/meeting/{object_id}/invitation.ics").status_code == 404
