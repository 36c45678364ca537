"""Source reports and the numbered recommendations they make."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.core.models import ValidatedModel, VersionedModel
from programme_tracker.portfolio.models.choices import Area, GovernmentResponse
from programme_tracker.portfolio.models.validators import code_validator


class CodeManager(models.Manager):
    """Looks records up by their stable code (their natural key in fixtures and exports)."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class SourceReport(ValidatedModel):
    """A report whose recommendations we track (the First Report; later reports add more)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    title = models.CharField(_("title"), max_length=300)
    published = models.DateField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    objects = CodeManager()

    class Meta:
        verbose_name = _("source report")
        verbose_name_plural = _("source reports")
        ordering = ["code"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.code,)


# The areas in the order the report presents them, for sorting recommendations as the report does.
REPORT_ORDER = models.Case(
    *[models.When(area=value, then=models.Value(position)) for position, value in enumerate(Area.values)],
    output_field=models.IntegerField(),
)


class Recommendation(ValidatedModel, VersionedModel):
    """One numbered recommendation of a source report, with the government's response to it."""

    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[code_validator],
        help_text=_("Stable code such as PREV-3."),
    )
    source_report = models.ForeignKey(
        SourceReport, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("source report")
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    number = models.PositiveSmallIntegerField(_("number within the area"))
    text = models.TextField(_("text"))
    government_response = models.CharField(
        _("government response"), max_length=20, choices=GovernmentResponse.choices,
        default=GovernmentResponse.PENDING,
    )
    response_note = models.TextField(_("note on the response"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = CodeManager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["source_report__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["source_report", "area", "number"], name="recommendation_number_unique"),
        ]

    def __str__(self):
        return f"{self.code}: {self.short_text}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["portfolio.sourcereport"]

    @property
    def short_text(self) -> str:
        """The first words of the text, for lists and choices."""
        return self.text if len(self.text) <= 80 else self.text[:77].rstrip() + "…"
