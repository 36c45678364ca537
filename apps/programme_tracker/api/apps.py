"""The REST API module: the register for other systems, with the desk's permissions, validation and history."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Resources under /api/, personal tokens, the OpenAPI schema and its documentation pages."""

    name = "programme_tracker.api"
    verbose_name = _("API")

    def ready(self):
        from programme_tracker.api import schema  # noqa: F401  (registers the token's scheme with drf-spectacular)
