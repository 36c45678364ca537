"""Accounts use Django's own user and group tables; roles are groups defined in roles.py.

The log-in records are django-axes' tables, shown in the desk under the accounts module through proxy models, so
that they sit beside the users and have permissions roles.py can give.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
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


class DeskVisit(models.Model):
    """When a person last looked at the desk, and when the visit before that was: what is "new since your last
    visit" is new since `previous_at`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_visit",
                                verbose_name=_("user"))
    at = models.DateTimeField(_("last seen"))
    previous_at = models.DateTimeField(_("visit before"), null=True, blank=True)

    class Meta:
        verbose_name = _("desk visit")
        verbose_name_plural = _("desk visits")

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """A list or desk page with its filters, saved by a person under a name of their own ("my ministry's programmes
    ending this year"); shown in their sidebar."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80)
    path = models.CharField(_("address"), max_length=500, help_text=_("A page of the desk with its filters."))
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="one_saved_view_per_name")]

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """A personal key for the REST API: made by its owner in the desk and shown once; only its SHA-256 hash is
    kept. It acts as its owner (their roles, their history), read-only or read-write, until it expires or is
    revoked."""

    class Scope(models.TextChoices):
        READ = "read", _("read only")
        WRITE = "write", _("read and write")
        # Only the person's calendar feed: it travels in an address (a calendar program cannot send a header), so
        # it opens nothing else.
        CALENDAR = "calendar", _("calendar feed only")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80, help_text=_("What it is for, e.g. the ministry's finance "
                                                                  "system."))
    prefix = models.CharField(_("first characters"), max_length=12, editable=False,
                              help_text=_("To recognise the token; the rest is not kept."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
