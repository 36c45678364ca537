"""What the task force adds to the programme's page: its decisions about the programme, the action items that
follow, and the meetings that put it on their agenda."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme_tracker.portfolio.models import Programme
from programme_tracker.portfolio.panels import Panel, register_panel
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision


def task_force(programme: Programme) -> dict:
    """The decisions about the programme (newest first), their actions and those about it (open first, by due
    day), and its agenda items (latest meeting first)."""
    decisions = list(Decision.objects.filter(programmes=programme).select_related("organisation"))
    about = Q(programmes=programme) | Q(decision__in=[decision.pk for decision in decisions])
    actions = (ActionItem.objects.filter(about).distinct().select_related("owner", "decision")
               .order_by("-state", "due_on")[:50])  # "open" sorts after "done" and "cancelled": reversed, first
    agenda = (AgendaItem.objects.filter(Q(programme=programme) | Q(alert__programme=programme))
              .select_related("meeting").order_by("-meeting__starts_at", "position")[:20])
    return {"decisions": decisions, "actions": actions, "agenda": agenda}


def register() -> None:
    """Put the task force's work on the programme just below its open alerts and money."""
    register_panel(Panel("task-force", _("Task force"), "taskforce/panels/task_force.html", task_force, order=-5,
                         permission="taskforce.view_decision"))
