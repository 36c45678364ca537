"""The task-force page: the next meeting and its agenda, the open action items by owner with the late ones first,
the latest decisions, and the three figures of the coordination loop."""

from datetime import date

from programme_tracker.taskforce.agenda import titles
from programme_tracker.taskforce.figures import figures, next_meeting, open_actions_by_owner
from programme_tracker.taskforce.meeting import agenda_of
from programme_tracker.taskforce.models import Decision, Meeting

LATEST_DECISIONS = 10
LATEST_MEETINGS = 6


def task_force_page(today: date) -> dict:
    """What the task-force page shows on `today`."""
    meeting = next_meeting()
    agenda = list(agenda_of(meeting)) if meeting else []
    worded = titles(agenda)
    for item in agenda:
        item.title = worded[item.pk]  # in the reader's language
    return {
        "figures": figures(today), "meeting": meeting, "agenda": agenda,
        "owners": open_actions_by_owner(today),
        "decisions": list(Decision.objects.select_related("meeting", "organisation")[:LATEST_DECISIONS]),
        "meetings": list(Meeting.objects.order_by("-starts_at")[:LATEST_MEETINGS]),
    }
