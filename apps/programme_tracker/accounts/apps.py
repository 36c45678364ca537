"""App configuration of the accounts module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Roles and staff accounts."""

    name = "programme_tracker.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from programme_tracker.accounts.lockouts import forget_old_log_in_records
        from programme_tracker.core import retention

        retention.register("log-in records", forget_old_log_in_records)
