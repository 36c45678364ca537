"""App configuration of the portfolio module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """Organisations, recommendations, programmes and funding periods."""

    name = "programme_tracker.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from programme_tracker.portfolio.history import programme_change_log
        from programme_tracker.portfolio.panels import Panel, register_panel

        register_panel(Panel("change-log", _("Change log"), "portfolio/panels/change_log.html",
                             lambda programme: {"changes": programme_change_log(programme)}, order=100,
                             collapsed=True))
