"""App configuration of the setup module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    """The top of the house: site set-up and the demo portfolio, which compose every module below."""

    name = "programme_tracker.setup"
    label = "setup"
    verbose_name = _("Set-up")
