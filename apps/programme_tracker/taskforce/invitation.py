"""The invitation to a task-force meeting as an iCalendar (.ics) file: its time, place or link, and its agenda.

Calendar programs recognise a later copy of the same meeting by its UID and take the one with the higher SEQUENCE
(the meeting's version), so a moved or cancelled meeting updates the invitation people already accepted.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from programme_tracker.taskforce.models import Meeting


def event_host() -> str:
    """The site's host name, which makes the register's event UIDs its own."""
    return urlsplit(settings.SITE_URL).hostname or "programme-tracker.invalid"


def meeting_event(meeting: Meeting) -> Event:
    """The meeting as a calendar event: its UID and SEQUENCE (the same in the invitation and in a person's calendar
    feed, so a calendar holds it once), time, title and place."""
    event = Event()
    event.add("uid", f"task-force-meeting-{meeting.pk}@{event_host()}")
    event.add("sequence", meeting.version)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", str(meeting))
    if meeting.place or meeting.online_link:
        event.add("location", meeting.place or meeting.online_link)
    return event


def invitation(meeting: Meeting) -> bytes:
    """The meeting as an iCalendar file with one event."""
    calendar = Calendar()
    calendar.add("prodid", "-//Programme Tracker//Task force//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = meeting_event(meeting)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    if meeting.online_link:
        event.add("url", meeting.online_link)
    items = [f"{number}. {item.title}" for number, item in enumerate(
        meeting.agenda_items.exclude(outcome="dropped").order_by("position", "pk"), start=1)]
    event.add("description", "\n".join([_("Agenda"), *items]) if items else _("The agenda follows."))
    calendar.add_component(event)
    return calendar.to_ical()
