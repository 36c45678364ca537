"""Funding periods: the grants, subsidy decisions, contracts and allocations that pay for a programme."""


from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.core.models import ValidatedModel, VersionedModel
from programme_tracker.portfolio.models.choices import (
    SECURED_FUNDING_STATUSES,
    FundingStatus,
    Instrument,
    RenewalDecision,
)
from programme_tracker.portfolio.models.organisations import Organisation
from programme_tracker.portfolio.models.programmes import Programme
from programme_tracker.portfolio.models.recommendations import CodeManager
from programme_tracker.portfolio.models.validators import are_dates, code_validator, currency_field, money_field


class FundingPeriod(ValidatedModel, VersionedModel):
    """One grant, subsidy decision, contract or budget allocation paying for a programme from start to end."""

    # null=True only so that several new rows left blank in one form are not "duplicates" of each other (Django's
    # advice for unique, blank CharFields); clean() always fills the code, so no row is stored without one.
    code = models.CharField(  # noqa: DJ001
        _("code"), max_length=40, unique=True, blank=True, null=True, validators=[code_validator],
        help_text=_("Stable reference; left empty, it is made from the programme code and the start year."),
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="funding_periods",
                                  verbose_name=_("programme"))
    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="funded_periods",
                               verbose_name=_("funder"))
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    amount = money_field(_("amount"))
    currency = currency_field()
    status = models.CharField(_("status"), max_length=20, choices=FundingStatus.choices,
                              default=FundingStatus.INDICATIVE)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True,
                                          help_text=_("Reference of the subsidy decision, contract or allocation."))
    renewal_decision = models.CharField(_("renewal decision"), max_length=20, choices=RenewalDecision.choices,
                                        default=RenewalDecision.PENDING)
    renewal_decision_date = models.DateField(_("renewal decision date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = CodeManager()

    class Meta:
        verbose_name = _("funding period")
        verbose_name_plural = _("funding periods")
        ordering = ["programme__code", "start", "code"]
        indexes = [
            models.Index(fields=["programme", "start"]),
            # The continuity scan reads secured periods by end date; with these columns it never visits the rows.
            models.Index(fields=["end", "status", "programme", "start"], name="funding_end_status"),
            models.Index(fields=["programme", "status", "end"], name="funding_programme_status_end"),
            models.Index(fields=["renewal_decision", "end"], name="funding_renewal_end"),
        ]

    def __str__(self):
        return f"{self.code} ({date_format(self.start)} – {date_format(self.end)})"

    def natural_key(self):
        return (self.code,)

    @property
    def is_secured(self) -> bool:
        """Committed, disbursing or closed money counts as secured; indicative money never does."""
        return self.status in SECURED_FUNDING_STATUSES

    def clean(self):
        """The funding period's rules: dates in order, a decision date once renewal is decided; fill the code."""
        errors = {}
        if are_dates(self.start, self.end) and self.end < self.start:
            errors["end"] = _("The end cannot be before the start.")
        decided = self.renewal_decision in (RenewalDecision.RENEWED, RenewalDecision.NOT_RENEWED)
        if decided and not self.renewal_decision_date:
            errors["renewal_decision_date"] = _("Give the date of the renewal decision.")
        if errors:
            raise ValidationError(errors)
        if not self.code and self.programme_id and are_dates(self.start):
            self.code = self._next_code()

    def _next_code(self) -> str:
        """`<programme>-<start year>`, with -2, -3 … when a programme has several periods starting that year."""
        base = f"{self.programme.code}-{self.start:%Y}"
        taken = set(FundingPeriod._base_manager.filter(code__startswith=base).values_list("code", flat=True))
        if base not in taken:
            return base
        return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)
