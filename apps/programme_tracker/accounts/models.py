"""Accounts use Django's own user and group tables; roles are groups defined in roles.py.

The log-in records are django-axes' tables, shown in the desk under the accounts module through proxy models, so
that they sit beside the users and have permissions roles.py can give.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext_lazy as _


class Lockout(AccessAttempt):
    """The failed log-ins counted against one user name from one address within the lockout period."""

    class Meta:
        proxy = True
        verbose_name = _("lockout")
        verbose_name_plural = _("lockouts")


class FailedLogIn(AccessFailureLog):
    """One failed log-in: the user name tried, the address, when, and whether it was locked out."""

    class Meta:
        proxy = True
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")


class LogIn(AccessLog):
    """One successful log-in with the password: who, from which address, when, and when they logged out."""

    class Meta:
        proxy = True
        verbose_name = _("log-in")
        verbose_name_plural = _("log-ins")
