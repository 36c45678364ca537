"""Programmes (funded measures) and their links to recommendations and implementing organisations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.core.models import ValidatedModel, VersionedModel
from programme_tracker.portfolio.models.choices import Area, OrganisationKind, ProgrammeStatus
from programme_tracker.portfolio.models.organisations import Organisation
from programme_tracker.portfolio.models.recommendations import CodeManager, Recommendation
from programme_tracker.portfolio.models.validators import are_dates, code_validator

# How far back a predecessor chain is followed when looking for a cycle; real chains are a handful long.
MAX_SUCCESSION_DEPTH = 1000


class Programme(ValidatedModel, VersionedModel):
    """A funded measure (maatregel): a helpline, a police unit, a training scheme, an aftercare project."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    lead_ministry = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="led_programmes",
        limit_choices_to={"kind": OrganisationKind.MINISTRY}, verbose_name=_("lead ministry"),
        help_text=_("The ministry that answers for the programme."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_programmes",
        verbose_name=_("owner"), help_text=_("The person accountable for the programme."),
    )
    implementing_organisations = models.ManyToManyField(
        Organisation, through="ProgrammeOrganisation", related_name="implemented_programmes", blank=True,
        verbose_name=_("implementing organisations"),
    )
    recommendations = models.ManyToManyField(
        Recommendation, through="ProgrammeRecommendation", related_name="programmes", blank=True,
        verbose_name=_("recommendations implemented"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.PLANNED)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True,
                                   help_text=_("Leave empty for a measure meant to run indefinitely."))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors",
        verbose_name=_("predecessor"), help_text=_("The programme this one continues or replaces."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    # The public implementation view (off by default, a site setting) shows only what is marked here.
    published = models.BooleanField(_("in the public view"), default=False, help_text=_(
        "Shown in the public implementation view with its status and period (never its owner or alerts)."))
    money_published = models.BooleanField(_("money public"), default=False, help_text=_(
        "Its secured funding amounts are shown in the public view too."))
    history = HistoricalRecords(excluded_fields=["version"])

    objects = CodeManager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def natural_key(self):
        return (self.code,)

    def clean(self):
        """The programme's rules: dates in order, an accountable owner and ministry when active, no cycles."""
        errors: dict[str, list] = {}
        # Fields that failed their own validation still hold raw text; compare only real dates.
        if are_dates(self.planned_start, self.planned_end) and self.planned_end < self.planned_start:
            errors.setdefault("planned_end", []).append(_("The planned end cannot be before the planned start."))
        if are_dates(self.actual_start, self.actual_end) and self.actual_end < self.actual_start:
            errors.setdefault("actual_end", []).append(_("The actual end cannot be before the actual start."))
        if self.status == ProgrammeStatus.ACTIVE:
            if self.owner_id is None:
                errors.setdefault("owner", []).append(_("An active programme must have an owner."))
            if self.lead_ministry_id is None:
                errors.setdefault("lead_ministry", []).append(_("An active programme must have a lead ministry."))
        if self.lead_ministry_id is not None and self.lead_ministry.kind != OrganisationKind.MINISTRY:
            errors.setdefault("lead_ministry", []).append(
                _("The lead ministry must be an organisation of kind ministry.")
            )
        succession_error = self._succession_error()
        if succession_error:
            errors.setdefault("predecessor", []).append(succession_error)
        if errors:
            raise ValidationError(errors)

    def _succession_error(self):
        """Why the predecessor link is impossible (self-succession or a cycle), or None."""
        if self.predecessor_id is None:
            return None
        if self.pk is not None and self.predecessor_id == self.pk:
            return _("A programme cannot be its own predecessor or successor.")
        seen = set()
        current = self.predecessor_id
        for _step in range(MAX_SUCCESSION_DEPTH):
            if current is None:
                return None
            if self.pk is not None and current == self.pk:
                return _("This predecessor would make a cycle of successors.")
            if current in seen:
                return None  # an older cycle that does not pass through this programme
            seen.add(current)
            current = Programme._base_manager.filter(pk=current).values_list("predecessor_id", flat=True).first()
        return _("The chain of predecessors is too long.")


class ProgrammeRecommendation(ValidatedModel):
    """That a programme implements a recommendation, with a note on how."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="recommendation_links",
                                  verbose_name=_("programme"))
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="programme_links",
                                       verbose_name=_("recommendation"))
    note = models.TextField(_("how it implements the recommendation"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation implemented")
        verbose_name_plural = _("recommendations implemented")
        ordering = ["programme__code", "recommendation__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "recommendation"], name="programme_recommendation_unique"),
        ]

    def __str__(self):
        return f"{self.programme.code} → {self.recommendation.code}"


class ProgrammeOrganisation(ValidatedModel):
    """That an organisation implements (part of) a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="organisation_links",
                                  verbose_name=_("programme"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programme_links",
                                     verbose_name=_("organisation"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("implementing organisation")
        verbose_name_plural = _("implementing organisations")
        ordering = ["programme__code", "organisation__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="programme_organisation_unique"),
        ]

    def __str__(self):
        return f"{self.programme.code} ← {self.organisation.short_name}"
