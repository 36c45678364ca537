"""The fields of the task force's sections, their JSON types, and the keys records refer to each other by."""

import re
from datetime import UTC, datetime

from programme_tracker.portfolio.exchange import BOOLEAN, DATE, TEXT, WHOLE_NUMBER

ALERT = ("alert", "severity", "state", "subject_label", "message", "message_data", "key_date", "until_date",
         "first_seen", "last_seen")
MEMBER = ("person", "seats")
SEAT = ("organisation", "role", "since", "until")
MEETING = ("starts_at", "duration_minutes", "place", "online_link", "status", "agenda_published_on",
           "minutes_approved_on", "minutes", "agenda")
ITEM = ("position", "title", "origin", "proposal", "outcome", "note", "alert", "programme", "recommendation",
        "action")
DECISION = ("number", "meeting", "agenda_item", "decided_on", "kind", "text", "programmes", "recommendations",
            "alerts", "organisation", "deadline", "accepted_until", "new_owner", "state", "superseded_by", "public")
ACTION = ("reference", "what", "owner", "organisation", "due_on", "decision", "agenda_item", "programmes",
          "recommendations", "alerts", "state", "done_on", "evidence", "cancelled_reason")

TYPES = {
    **dict.fromkeys(("severity", "state", "subject_label", "message", "role", "place", "online_link", "status",
                     "minutes", "title", "origin", "proposal", "outcome", "note", "kind", "text", "what",
                     "evidence", "cancelled_reason"), TEXT),
    **dict.fromkeys(("key_date", "until_date", "first_seen", "last_seen", "since", "until", "agenda_published_on",
                     "minutes_approved_on", "decided_on", "deadline", "accepted_until", "due_on", "done_on"), DATE),
    "duration_minutes": WHOLE_NUMBER, "position": WHOLE_NUMBER, "public": BOOLEAN,
}
LISTS = ("seats", "agenda", "programmes", "recommendations", "alerts", "message_data")
# Alert subjects that have a code of their own; and those about the task force's records, which are not carried.
SUBJECTS = ("programme", "funding_period", "recommendation")
TASK_FORCE_SUBJECTS = ("action", "alert", "decision", "meeting")
NUMBER = re.compile(r"TF-([0-9]{4})-([0-9]{3,6})")
MEETING_KEY = "%Y-%m-%dT%H:%M:%SZ"


def meeting_key(starts_at: datetime) -> str:
    """A meeting's key: its start in UTC, to the second."""
    return starts_at.astimezone(UTC).strftime(MEETING_KEY)
