"""App configuration of the core module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared building blocks: the models' base classes, job runs, the audit record and retention."""

    name = "programme_tracker.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from programme_tracker.core import audit, retention  # noqa: F401 - log-in records; the retention job

