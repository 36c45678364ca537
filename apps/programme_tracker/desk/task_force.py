"""The task-force page: the next meeting and its agenda, the open action items by owner with the late ones first,
the latest decisions, and the three figures of the coordination loop."""

from datetime import date

from programme_tracker.taskforce.figures import figures, next_meeting, open_actions_by_owner
from programme_tracker.taskforce.models import AgendaItem, Decision

LATEST_DECISIONS = 10


def task_force_page(today: date) -> dict:
    """What the task-force page shows on `today`."""
    meeting = next_meeting()
    agenda = (list(meeting.agenda_items.exclude(outcome=AgendaItem.Outcome.DROPPED).order_by("position", "pk"))
              if meeting else [])
    return {
        "figures": figures(today), "meeting": meeting, "agenda": agenda,
        "owners": open_actions_by_owner(today),
        "decisions": list(Decision.objects.select_related("meeting", "organisation")[:LATEST_DECISIONS]),
    }
