"""Model building blocks: the concurrent-edit guard, records validated however they are saved (dates within sane
years), and the runs of the background jobs."""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(Exception):
    """The record was changed by someone else after the editor loaded it; nothing was saved."""

    def __init__(self, instance: models.Model):
        self.instance = instance
        super().__init__(concurrent_edit_message(instance))


def concurrent_edit_message(instance: models.Model) -> str:
    """Say who changed the record, and when, since the editor opened it."""
    latest = instance.history.order_by("-history_date", "-history_id").first()
    who = (latest.history_user.get_username() if latest and latest.history_user else None) or _("someone else")
    when = latest.history_date.strftime("%Y-%m-%d %H:%M:%S %Z") if latest else ""
    return str(
        _(
            "This %(what)s was changed by %(who)s (%(when)s) since you opened it. Nothing was saved: "
            "reload the page to see the current version and make your change again."
        )
        % {"what": instance._meta.verbose_name, "who": who, "when": when}
    )


class VersionedModel(models.Model):
    """A record that refuses a save based on a stale copy (optimistic locking).

    `version` is the number the editor loaded. Saving bumps it with `UPDATE … WHERE version = loaded`; if no row
    matched, someone saved in between and the save is refused. The admin carries the loaded number in a hidden
    field, so the check spans the whole time a form is open, not just the request that saves it.
    """

    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Save, refusing with ConcurrentEditError when the stored version moved on."""
        if self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            claimed = type(self)._base_manager.filter(pk=self.pk, version=self.version).update(
                version=F("version") + 1
            )
            if not claimed:
                raise ConcurrentEditError(self)
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = set(update_fields) | {"version"}
            return super().save(*args, **kwargs)


# No programme, grant or report is dated outside these years: such a date is a typing error, or 31-12-9999 written
# for "open-ended", and the rules' day arithmetic (the day after an end) would overflow at the end of the calendar.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


# Characters no register text needs: control characters (a newline in a name breaks e-mail headers for good), the
# Unicode line and paragraph separators, the invisible zero-width space and byte-order mark (which make look-alike
# names), and the bidirectional overrides and isolates, which make text display in another order than it is
# stored ("Trojan Source"). Multi-line fields keep their line breaks and tabs.
INVISIBLE = "\u200b\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069"
SINGLE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{INVISIBLE}]")
MULTI_LINE_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{INVISIBLE}]")
# A description or note is read by people: a few pages at most. Without a bound, a million characters would be
# stored, repeated in every history version and sent in e-mails.
LONGEST_TEXT = 20_000


def refused_characters(value: str, *, multi_line: bool = False) -> str | None:
    """The first character a text may not hold, as U+XXXX, or None when the text is clean."""
    found = (MULTI_LINE_REFUSED if multi_line else SINGLE_LINE_REFUSED).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


class ValidatedModel(models.Model):
    """A record whose rules hold however it is saved: the admin, an import, a service or the shell.

    `save()` runs `full_clean()` first, so a record that breaks a rule raises ValidationError naming the field and
    nothing is written. (Fixture loading saves raw and skips this; fixtures are checked by tests instead.)
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Validate every field and rule, then save."""
        self.full_clean()
        return super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        """Each field's own validation, every date within EARLIEST … LATEST, and text without control characters."""
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and field.name not in errors and field.name not in (exclude or ()):
                bad = refused_characters(value, multi_line=isinstance(field, models.TextField))
                if isinstance(field, models.TextField) and len(value) > LONGEST_TEXT:
                    errors[field.name] = [ValidationError(
                        _("Keep this text to %(max)s characters (it has %(count)s).")
                        % {"max": f"{LONGEST_TEXT:,}", "count": f"{len(value):,}"}, code="too_long")]
                elif bad:
                    errors[field.name] = [ValidationError(
                        _("Remove the invisible control character (%(char)s): line breaks belong only in "
                          "multi-line fields, and characters that reverse the reading order are refused.")
                        % {"char": bad}, code="control_character")]
            if isinstance(value, date) and not isinstance(value, datetime) and field.name not in errors \
                    and field.name not in (exclude or ()) and not EARLIEST <= value <= LATEST:
                errors[field.name] = [ValidationError(
                    _("Give a date from %(first)s to %(last)s.") % {"first": EARLIEST.year, "last": LATEST.year},
                    code="date_range")]
        if errors:
            raise ValidationError(errors)


class JobRun(models.Model):
    """One run of a background job (on an RQ worker or in-process): when, how it ended, and the error if any."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60, db_index=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    result = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)
    runner = models.CharField(_("run by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class AuditEvent(models.Model):
    """Who logged in, exported or imported what, and when: the record Administrators read to see who took data
    out of the register or put it in. Kept for `keep_audit_days` (core/retention.py)."""

    class Kind(models.TextChoices):
        LOG_IN = "log-in", _("Logged in")
        LOG_IN_FAILED = "log-in-failed", _("Log-in failed")
        LOG_OUT = "log-out", _("Logged out")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        API_TOKEN = "api-token", _("API token created")

    at = models.DateTimeField(_("when"), db_index=True)
    # The account, while it exists; the name stays when the account is deleted (and is what a failed log-in typed).
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("account"))
    username = models.CharField(_("user name"), max_length=150, blank=True)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind}"
