"""Organisations: ministries, agencies, police and justice bodies, municipalities, NGOs and private partners."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.core.models import ValidatedModel, VersionedModel
from programme_tracker.portfolio.models.choices import OrganisationKind
from programme_tracker.portfolio.models.validators import code_validator


class OrganisationManager(models.Manager):
    """Looks organisations up by short name (their natural key in fixtures and exports)."""

    def get_by_natural_key(self, short_name):
        return self.get(short_name=short_name)


class Organisation(ValidatedModel, VersionedModel):
    """A body that leads, funds or implements programmes."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=30, unique=True, validators=[code_validator],
        help_text=_("Stable abbreviation used in exports and imports, e.g. JenV."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Untick when the organisation is merged or dissolved; its programmes then need a new home."),
    )
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="contact_for", verbose_name=_("contacts"),
        help_text=_("Staff who answer for this organisation: when a programme it leads has no owner, they are told."),
    )
    history = HistoricalRecords(excluded_fields=["version"])

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["short_name"]

    def __str__(self):
        return f"{self.short_name} — {self.name}"

    def natural_key(self):
        return (self.short_name,)

    @property
    def is_ministry(self) -> bool:
        """True for ministries, the only organisations that can lead a programme."""
        return self.kind == OrganisationKind.MINISTRY
