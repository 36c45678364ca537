"""The task-force module: members, meetings and their agendas, decisions and the actions that follow from them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskForceConfig(AppConfig):
    """The coordination loop on top of the continuity engine: alert → agenda → decision → action → done."""

    name = "programme_tracker.taskforce"
    label = "taskforce"
    verbose_name = _("Task force")

    def ready(self):
        # Its rules are found by the continuity engine in rules.py; a change to its records runs them on commit.
        from programme_tracker.continuity.escalation import also_tell_of_escalations
        from programme_tracker.taskforce import exchange, panels, receivers, services  # noqa: F401

        also_tell_of_escalations(services.chairs)  # the chair hears of every escalation, as the coordinators do
        panels.register()  # decisions, actions and agenda items on the programme's page
        exchange.register()  # members, meetings, decisions and actions travel in the portfolio exchange
