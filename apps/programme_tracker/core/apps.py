"""App configuration of the core module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared building blocks (no tables of its own)."""

    name = "programme_tracker.core"
    label = "core"
    verbose_name = _("Core")
