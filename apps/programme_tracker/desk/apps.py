"""The desk module: the coordinators', finance officers' and monitors' pages over the register."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """Dashboard, funding timeline, coverage matrix, alert inbox, programme page and monitoring report."""

    name = "programme_tracker.desk"
    verbose_name = _("Desk")
