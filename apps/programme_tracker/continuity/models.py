"""Alerts (one finding of one rule about one subject), their state history, and the scan bookkeeping."""

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programme_tracker.accounts.roles import MONEY_PERMISSIONS
from programme_tracker.continuity.choices import ACTIVE_STATES, AlertState, EventKind, Severity
from programme_tracker.continuity.messages import render
from programme_tracker.continuity.rules import key_label, rule_title

ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _written_date(match: re.Match) -> str:
    try:
        return date_format(date.fromisoformat(match.group(1)), "DATE_FORMAT")
    except ValueError:  # not a date after all (a code that looks like one)
        return match.group(1)


class Alert(models.Model):
    """One finding of one continuity rule about one subject, identified by (rule, subject, key)."""

    rule = models.CharField(_("rule"), max_length=40, db_index=True)
    # Identity. The subject is "programme:<id>", "funding_period:<id>" or "recommendation:<id>"; the key is the
    # finding's key date (ISO) or, for rules whose findings have no date, what was found (e.g. "no-owner").
    # A nullable date cannot be part of the identity: unique indexes treat NULLs as distinct on MariaDB and SQLite.
    subject_key = models.CharField(_("subject key"), max_length=60)
    key = models.CharField(_("key"), max_length=40, blank=True, default="")
    # The subject, for filters and links; kept as a label when the record itself is deleted.
    programme = models.ForeignKey("portfolio.Programme", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="alerts", verbose_name=_("programme"))
    funding_period = models.ForeignKey("portfolio.FundingPeriod", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="alerts", verbose_name=_("funding period"))
    recommendation = models.ForeignKey("portfolio.Recommendation", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="alerts", verbose_name=_("recommendation"))
    subject_label = models.CharField(_("subject"), max_length=200)
    key_date = models.DateField(_("key date"), null=True, blank=True)
    until_date = models.DateField(_("until"), null=True, blank=True,
                                  help_text=_("The last day of a funding gap."))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    state = models.CharField(_("state"), max_length=15, choices=AlertState.choices, default=AlertState.OPEN)
    message = models.TextField(_("message"))
    # The message as source texts and arguments (continuity/messages.py), shown in each reader's language.
    message_data = models.JSONField(_("message data"), default=list, blank=True, editable=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_alerts", verbose_name=_("assignee"),
                                 help_text=_("Empty: the coordinators."))
    # The person the rule says must act (the owner of an overdue action item); empty: the programme's owner, else
    # the coordinators. Scans point the assignee at them unless someone assigned the alert by hand.
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("named by the rule"), editable=False)
    for_coordinators = models.BooleanField(
        _("for the coordinators"), default=False,
        help_text=_("Unowned measures and uncovered recommendations are the coordinators' to follow up."),
    )
    assigned_by_hand = models.BooleanField(_("assigned by hand"), default=False,
                                           help_text=_("Scans keep a hand-picked assignee."))
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    accepted_until = models.DateField(_("risk accepted until"), null=True, blank=True,
                                      help_text=_("A dismissed alert reopens after this day if still true."))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The scan that inserted the row: lets a scan tell the rows it created from rows another scan created.
    scan_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["state", "key_date", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject_key", "key"], name="alert_identity_unique"),
        ]
        indexes = [
            models.Index(fields=["state", "rule"]),
            models.Index(fields=["programme", "state"]),
            models.Index(fields=["scan_token"]),
        ]

    def __str__(self):
        # The key tells two alerts about one subject apart: a date written out (unless the subject names it) or
        # what the rule found, in words.
        subject = self.subject_in_words
        key = ISO_DATE.sub(_written_date, key_label(self.rule, self.key)) if self.key else ""
        return f"{rule_title(self.rule)}: {subject}" + (f" ({key})" if key and key not in subject else "")

    @property
    def is_active(self) -> bool:
        """Open or acknowledged: somebody still has to act."""
        return self.state in ACTIVE_STATES

    @property
    def localized_message(self) -> str:
        """The message in the reader's language, dates and amounts formatted for it (the stored text if older, or
        if its parts cannot be shown: a page never fails on one alert's message)."""
        try:
            return render(self.message_data, localize=True) if self.message_data else self.message
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
            return self.message

    def message_for(self, user) -> str:
        """The message as this person may read it: the amounts it quotes only for those who may see money records
        (the stored English text, which holds them, is never shown to the others)."""
        if user is not None and user.has_perms(MONEY_PERMISSIONS):
            return self.localized_message
        try:
            return render(self.message_data, localize=True, hide_amounts=True) if self.message_data else ""
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
            return ""

    @property
    def subject_in_words(self) -> str:
        """The subject as the reader reads it: the dates in it (a tranche's, a meeting's, stored as ISO so that
        the label is the same in every language) written out in the active language."""
        return ISO_DATE.sub(_written_date, self.subject_label)

    @property
    def rule_title(self) -> str:
        """The rule's plain-language title."""
        return rule_title(self.rule)


class AlertEvent(models.Model):
    """One change of an alert's state or assignee, with who (empty: a scan) and when."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events", verbose_name=_("alert"))
    kind = models.CharField(_("what"), max_length=15, choices=EventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("who"))
    from_state = models.CharField(_("from"), max_length=15, choices=AlertState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=15, choices=AlertState.choices)
    note = models.TextField(_("note"), blank=True)
    # Events written together (one scan, one action) share a batch, so the notifications for them are found in one
    # query, also on MariaDB where bulk inserts do not return the new ids.
    batch = models.CharField(max_length=32, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["alert", "at", "id"]

    def __str__(self):
        state = f"{self.get_from_state_display() or '—'} → {self.get_to_state_display()}"
        return f"{self.get_kind_display()} ({state}), {date_format(timezone.localtime(self.at), 'DATETIME_FORMAT')}"


class ScanState(models.Model):
    """The single row every scan locks (so scans run one at a time) and where the last full scan is recorded."""

    last_full_scan_at = models.DateTimeField(_("last full scan at"), null=True, blank=True)
    last_full_scan_as_of = models.DateField(_("last full scan as of"), null=True, blank=True)
    last_full_scan_summary = models.JSONField(_("summary"), default=dict, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    # How many scans have written alerts: a scan that read the portfolio before taking the lock compares it to
    # know whether another scan wrote in between.
    generation = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("scan state")
        verbose_name_plural = _("scan state")

    def __str__(self):
        day = date_format(self.last_full_scan_as_of) if self.last_full_scan_as_of else "—"
        return str(_("last full scan as of %(day)s") % {"day": day})
