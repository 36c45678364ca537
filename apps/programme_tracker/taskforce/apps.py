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
        from programme_tracker.taskforce import receivers  # noqa: F401
