"""Notifications (the in-app list and the e-mail outbox), delivery preferences and monitors' subscriptions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme_tracker.portfolio.models.choices import Area


class Delivery(models.TextChoices):
    """When a person's e-mail about alerts goes out."""

    CRITICAL_AT_ONCE = "critical", _("Critical alerts at once, the rest in the daily digest")
    ALL_AT_ONCE = "all", _("Every alert at once")
    DIGEST_ONLY = "digest", _("Everything in the daily digest")
    NO_EMAIL = "none", _("No e-mail (the desk only)")


class Preference(models.Model):
    """How one person wants to hear about alerts (no row: critical at once, the rest in the digest)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("person"))
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices,
                                default=Delivery.CRITICAL_AT_ONCE)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Of your e-mails and notifications. Empty: the site's language."))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.get_delivery_display()}"


class Subscription(models.Model):
    """A person (usually a monitor) follows the alerts of an area, a lead ministry and/or a rule; empty means any."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions",
                             verbose_name=_("person"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices, blank=True)
    ministry = models.ForeignKey("portfolio.Organisation", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("lead ministry"))
    rule = models.CharField(_("rule"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["user", "area", "rule"]

    def __str__(self):
        parts = [self.get_area_display() if self.area else "", str(self.ministry or ""), self.rule]
        return f"{self.user}: " + (" · ".join(part for part in parts if part) or str(_("every alert")))


class EmailState(models.TextChoices):
    """Where a notification's e-mail stands in the outbox."""

    NONE = "none", _("No e-mail")
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class Notification(models.Model):
    """One person told about one alert event: a line in their desk list and a row of the e-mail outbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    event = models.ForeignKey("continuity.AlertEvent", on_delete=models.CASCADE, related_name="notifications",
                              verbose_name=_("event"))
    alert = models.ForeignKey("continuity.Alert", on_delete=models.CASCADE, related_name="notifications",
                              verbose_name=_("alert"))
    reason = models.CharField(_("why you are told"), max_length=100)
    # The reason's key in audience.REASONS: an e-mail says why in the reader's language at the time it is sent.
    reason_key = models.CharField(max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The outbox: written in the same transaction as the alert change, claimed by one worker, sent, then marked.
    email_state = models.CharField(_("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_due_at = models.DateTimeField(_("e-mail due"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["email_state", "email_due_at"]),
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["claim_token"]),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.alert}"


class UndeliveredEmail(Notification):
    """The outbox's e-mails that could not be sent (a bad address, a header no retry can fix, or too many tries):
    Administrators see them across all people, fix the cause and send them again."""

    class Meta:
        proxy = True
        verbose_name = _("undelivered e-mail")
        verbose_name_plural = _("undelivered e-mails")
