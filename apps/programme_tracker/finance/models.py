"""The money behind the programmes, in the terms of the IATI activity standard so that it can be published later.

A budget line is what a programme may spend in a fiscal year; a commitment is the funding decision behind a funding
period; tranches are its planned disbursements and payments the actual ones; reports due are the progress and
financial reports a funding period requires (a tranche can wait for one); expenditure is what the implementing
organisation reports it spent. Money is Decimal with a currency per record (EUR by default).

A spreadsheet import (budget lines, payments or expenditure) is kept as a record too, with its uploaded file in
parts, so that its dry run and commit can run as background jobs on any worker and be followed from any web process.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme_tracker.core.models import ValidatedModel, VersionedModel
from programme_tracker.core.money import written_money
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme
from programme_tracker.portfolio.models.validators import are_dates, currency_field, money_field


class BudgetLine(ValidatedModel, VersionedModel):
    """What a programme may spend in one fiscal year: the original budget, and a revision that keeps it visible."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original")
        REVISED = "revised", _("Revised")

    class Status(models.TextChoices):
        INDICATIVE = "indicative", _("Indicative")
        COMMITTED = "committed", _("Committed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budget_lines",
                                  verbose_name=_("programme"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("original or revised"), max_length=10, choices=Kind.choices, default=Kind.ORIGINAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INDICATIVE)
    amount = money_field(_("amount"))
    currency = currency_field()
    revised_on = models.DateField(_("revised on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["programme__code", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "fiscal_year", "kind"], name="budget_line_once_per_year"),
        ]

    def __str__(self):
        return f"{self.programme.code} {self.fiscal_year} {self.get_kind_display().lower()}"

    def clean(self):
        """A revision has a date; the original has none."""
        if self.kind == self.Kind.REVISED and not self.revised_on:
            raise ValidationError({"revised_on": _("Give the date of the revision.")})


class Commitment(ValidatedModel, VersionedModel):
    """The funding decision behind a funding period: reference, date, amount and conditions."""

    funding_period = models.ForeignKey(FundingPeriod, on_delete=models.CASCADE, related_name="commitments",
                                       verbose_name=_("funding period"))
    reference = models.CharField(_("decision reference"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    amount = money_field(_("amount"))
    currency = currency_field()
    conditions = models.TextField(_("conditions"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["funding_period__code", "decided_on"]
        constraints = [
            models.UniqueConstraint(fields=["funding_period", "reference"], name="commitment_reference_unique"),
        ]
        # The scan sums the commitments of a funding period from the index alone (sums.find_spending).
        indexes = [models.Index(fields=["funding_period", "amount"], name="commitment_period_amount")]

    def __str__(self):
        return f"{self.reference} ({written_money(self.amount, self.currency)})"


class ReportDue(ValidatedModel, VersionedModel):
    """A progress or financial report a funding period requires, with when it is due, received and approved."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        FINANCIAL = "financial", _("Financial report")

    funding_period = models.ForeignKey(FundingPeriod, on_delete=models.CASCADE, related_name="reports_due",
                                       verbose_name=_("funding period"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. Progress report 2026 H1"))
    due_on = models.DateField(_("due on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("report due")
        verbose_name_plural = _("reports due")
        ordering = ["funding_period__code", "due_on"]

    def __str__(self):
        return f"{self.funding_period.code}: {self.title}"

    def clean(self):
        """A report is approved only after it was received."""
        if self.approved_on and not self.received_on:
            raise ValidationError({"received_on": _("A report is received before it is approved.")})
        if are_dates(self.received_on, self.approved_on) and self.approved_on < self.received_on:
            raise ValidationError({"approved_on": _("The approval cannot be before the report was received.")})


class Tranche(ValidatedModel, VersionedModel):
    """A planned disbursement of a funding period; it may wait for an approved report."""

    funding_period = models.ForeignKey(FundingPeriod, on_delete=models.CASCADE, related_name="tranches",
                                       verbose_name=_("funding period"))
    planned_on = models.DateField(_("planned payment date"))
    amount = money_field(_("amount"))
    currency = currency_field()
    requires_report = models.ForeignKey(
        ReportDue, on_delete=models.RESTRICT, null=True, blank=True, related_name="tranches",
        verbose_name=_("requires the approval of"), help_text=_("The tranche is paid once this report is approved."),
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["funding_period__code", "planned_on"]

    def __str__(self):
        money = written_money(self.amount, self.currency)
        return f"{self.funding_period.code} {date_format(self.planned_on)} ({money})"

    def clean(self):
        """The report a tranche waits for belongs to the same funding period."""
        if self.requires_report_id and self.requires_report.funding_period_id != self.funding_period_id:
            raise ValidationError({"requires_report": _("Pick a report of the same funding period.")})


class Payment(ValidatedModel, VersionedModel):
    """Money actually paid out for a funding period, against one of its tranches where known."""

    funding_period = models.ForeignKey(FundingPeriod, on_delete=models.CASCADE, related_name="payments",
                                       verbose_name=_("funding period"))
    tranche = models.ForeignKey(Tranche, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments",
                                verbose_name=_("tranche"))
    paid_on = models.DateField(_("paid on"))
    amount = money_field(_("amount"))
    currency = currency_field()
    # The booking number in the ministry's finance system: it tells a re-imported payment from a new one.
    reference = models.CharField(_("payment reference"), max_length=100,
                                 help_text=_("The booking number in the finance system."))
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["funding_period__code", "paid_on"]
        constraints = [
            models.UniqueConstraint(fields=["funding_period", "reference"], name="payment_reference_unique"),
        ]

    def __str__(self):
        return f"{self.funding_period.code} {date_format(self.paid_on)} ({written_money(self.amount, self.currency)})"

    def clean(self):
        """A payment against a tranche belongs to the tranche's funding period."""
        if self.tranche_id and self.tranche.funding_period_id != self.funding_period_id:
            raise ValidationError({"tranche": _("Pick a tranche of the same funding period.")})


class Expenditure(ValidatedModel, VersionedModel):
    """What an implementing organisation reports it spent of a funding period in a month or quarter, by category."""

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel")
        ACTIVITIES = "activities", _("Activities and services")
        OPERATIONS = "operations", _("Operations and equipment")
        OVERHEAD = "overhead", _("Overhead")
        OTHER = "other", _("Other")

    funding_period = models.ForeignKey(FundingPeriod, on_delete=models.CASCADE, related_name="expenditure",
                                       verbose_name=_("funding period"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="expenditure",
                                     verbose_name=_("reported by"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    amount = money_field(_("amount"))
    currency = currency_field()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditure")
        ordering = ["funding_period__code", "period_start", "category"]
        constraints = [
            models.UniqueConstraint(fields=["funding_period", "organisation", "period_start", "category"],
                                    name="expenditure_once_per_period_and_category"),
        ]
        # The scan sums the expenditure per funding period from the index alone (sums.find_spending).
        indexes = [models.Index(fields=["funding_period", "period_end", "amount"], name="expenditure_spending")]

    def __str__(self):
        month = date_format(self.period_start, "YEAR_MONTH_FORMAT")
        return f"{self.funding_period.code} {month} {self.get_category_display()}"

    def clean(self):
        """The reporting period's dates are in order."""
        if are_dates(self.period_start, self.period_end) and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end cannot be before the start.")})


class SpreadsheetImport(models.Model):
    """A spreadsheet uploaded for import: who uploaded it, how to read it, where its dry run and commit stand, and
    their report. Its file is kept (in parts) only until the import ends or a day has passed."""

    class State(models.TextChoices):
        WAITING_TO_CHECK = "check-queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: ready to import")
        REFUSED = "refused", _("Refused: nothing imported")
        WAITING_TO_IMPORT = "import-queued", _("Waiting to be imported")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Stopped: nothing imported")

    # In the page's address: not a counter, so that one import's address does not lead to the next.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="spreadsheet_imports", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, db_index=True)
    kind = models.CharField(_("records"), max_length=20)
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    decimal_mark = models.CharField(_("decimal separator"), max_length=1, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.WAITING_TO_CHECK,
                             db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("import confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    run_by = models.CharField(_("run by"), max_length=100, blank=True)

    RUNNING = (State.CHECKING, State.IMPORTING)
    WAITING = (State.WAITING_TO_CHECK, State.WAITING_TO_IMPORT)
    ENDED = (State.REFUSED, State.IMPORTED, State.FAILED)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.kind}, {self.get_state_display()})"

    @property
    def in_progress(self) -> bool:
        """Whether a dry run or commit of this import is waiting for a worker or running."""
        return self.state in self.RUNNING or self.state in self.WAITING


class SpreadsheetPart(models.Model):
    """One part (at most a mebibyte) of an uploaded spreadsheet: a database packet holds a part, not a whole file."""

    spreadsheet_import = models.ForeignKey(SpreadsheetImport, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["spreadsheet_import", "number"]
        constraints = [
            models.UniqueConstraint(fields=["spreadsheet_import", "number"], name="spreadsheet_part_once"),
        ]

    def __str__(self):
        return f"{self.spreadsheet_import_id} part {self.number}"
