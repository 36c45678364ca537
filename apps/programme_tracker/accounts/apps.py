"""App configuration of the accounts module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Roles and staff accounts."""

    name = "programme_tracker.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")
