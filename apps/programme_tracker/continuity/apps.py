"""The continuity module: rules over the portfolio, the alerts they raise and the scan that keeps them current."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    """Continuity rules, alerts and scans."""

    name = "programme_tracker.continuity"
    verbose_name = _("Continuity")

    def ready(self):
        # Saving a programme or funding period re-evaluates its programme once the transaction commits.
        from programme_tracker.continuity import panels, receivers  # noqa: F401

        panels.register()  # the open alerts on the programme's page

        # Other modules add their rules in a `rules` module of their own (finance, task force).
        autodiscover_modules("rules")
