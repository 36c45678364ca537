"""App configuration of the portfolio module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """Organisations, recommendations, programmes and funding periods."""

    name = "programme_tracker.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")
