"""What the task force adds to the pages of a programme, a recommendation and an alert: its decisions about it, the
action items that follow or are about it, and the meetings that put it on their agenda."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Programme, Recommendation
from programme_tracker.portfolio.panels import Panel, register_panel
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision


def _work(decisions: Q, actions: Q, agenda: Q, empty) -> dict:
    """The decisions (newest first), action items (open first, by due day) and agenda items (latest meeting first)
    these conditions select, as the panel shows them."""
    return {"decisions": list(Decision.objects.filter(decisions).distinct().select_related("organisation")),
            # "open" sorts after "done" and "cancelled": reversed, first
            "actions": ActionItem.objects.filter(actions).distinct().select_related("owner", "decision")
            .order_by("-state", "due_on")[:50],
            "agenda": AgendaItem.objects.filter(agenda).select_related("meeting")
            .order_by("-meeting__starts_at", "position")[:20],
            "empty": empty}


def task_force(programme: Programme) -> dict:
    """The decisions about the programme, the actions about it or following from those decisions, and its agenda
    items (about it or about one of its alerts)."""
    return _work(Q(programmes=programme), Q(programmes=programme) | Q(decision__programmes=programme),
                 Q(programme=programme) | Q(alert__programme=programme),
                 _("The task force has not discussed this programme yet."))


def about_recommendation(recommendation: Recommendation) -> dict:
    """The decisions about the recommendation, the actions about it or following from those decisions, and the
    agenda items about it."""
    return _work(Q(recommendations=recommendation),
                 Q(recommendations=recommendation) | Q(decision__recommendations=recommendation),
                 Q(recommendation=recommendation), _("The task force has not discussed this recommendation yet."))


def about_alert(alert: Alert) -> dict:
    """The decisions and actions linked to the alert, or that it is about (an overdue action: its owner follows the
    e-mail's link to the alert, and from there to the action to mark it done), and the agenda items about it."""
    kind, _sep, pk = alert.subject_key.partition(":")
    subject = int(pk) if pk.isdigit() else 0
    return _work(Q(alerts=alert) | Q(pk=subject if kind == "decision" else 0),
                 Q(alerts=alert) | Q(pk=subject if kind == "action" else 0), Q(alert=alert),
                 _("The task force has not discussed this alert yet."))


def register() -> None:
    """Put the task force's work on the programme just below its open alerts and money, and on the pages of a
    recommendation and an alert."""
    for name, on, context in (("task-force", "programme", task_force),
                              ("task-force-recommendation", "recommendation", about_recommendation),
                              ("task-force-alert", "alert", about_alert)):
        register_panel(Panel(name, _("Task force"), "taskforce/panels/task_force.html", context, order=-5 if on ==
                             "programme" else 10, permission="taskforce.view_decision", on=on))
