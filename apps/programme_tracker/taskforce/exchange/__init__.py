"""The task force in the portfolio exchange (docs/portfolio-format.md): five sections after the portfolio's and the
money's, in the order they load.

- `task_force_alerts`: the alerts the task force's records refer to, keyed by what identifies an alert on any site
  (`rule|subject|key`, the subject by its code). An import creates a missing one as the document has it and leaves
  an existing one to the scans. Alerts about the task force's own records are not carried: the next scan finds
  them again from the imported records.
- `task_force_members`: each person's seats, made exactly those of the document.
- `task_force_meetings`: keyed by the start (ISO, UTC), each with its agenda, made exactly the document's items.
- `task_force_decisions`: keyed by number; `task_force_actions`: keyed by reference.

Records refer to each other by those keys, and to an agenda item by `<meeting>#<n>` (its place on the agenda, from
1). An import does not carry a decision out again: the alerts' states travel in their own section.
"""

from programme_tracker.portfolio.exchange import Part, register_part
from programme_tracker.taskforce.exchange import fields, load, write


def register() -> None:
    """Add the task force's five sections to the portfolio exchange."""
    for section, key, names, export, read in (
            ("task_force_alerts", "alert", fields.ALERT, write.alerts, load.alerts),
            ("task_force_members", "person", fields.MEMBER, write.members, load.members),
            ("task_force_meetings", "starts_at", fields.MEETING, write.meetings, load.meetings),
            ("task_force_decisions", "number", fields.DECISION, write.decisions, load.decisions),
            ("task_force_actions", "reference", fields.ACTION, write.actions, load.actions)):
        register_part(Part(section, key, names, export, read,
                           people=write.people if section == "task_force_members" else tuple))
