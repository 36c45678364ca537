"""Webhooks: addresses that other systems register to hear of alert events and decisions, and their outbox."""

import secrets

from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """What a webhook can be told of."""

    ALERT_OPENED = "alert.opened", _("An alert opened (or reopened)")
    ALERT_ESCALATED = "alert.escalated", _("An alert escalated")
    ALERT_RESOLVED = "alert.resolved", _("An alert resolved")
    DECISION_RECORDED = "decision.recorded", _("A task-force decision recorded")
    # Not chosen on a webhook: sent to it when an Administrator asks, to check that the receiver hears and verifies.
    TEST = "webhook.test", _("A test delivery, on request")


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes as 64 hex digits."""
    return secrets.token_hex(32)


class Webhook(models.Model):
    """An address (another system's) that is sent each chosen event as signed JSON, through the outbox."""

    url = models.CharField(_("address"), max_length=500, validators=[URLValidator(schemes=["https", "http"])],
                           help_text=_("Where the events are sent (POST, JSON). Use https outside a test set-up."))
    description = models.CharField(_("description"), max_length=200, blank=True,
                                   help_text=_("Whose system this is and what it does with the events."))
    events = models.JSONField(_("events"), default=list,
                              help_text=_("The events this address is sent."))
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret,
                              help_text=_("Shared with the receiving system, which checks each delivery's "
                                          "signature with it."))
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("An inactive webhook is sent nothing new; what is waiting still goes."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["url", "id"]

    def __str__(self):
        return self.description or self.url


class DeliveryState(models.TextChoices):
    """Where a webhook delivery stands in the outbox."""

    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class WebhookDelivery(models.Model):
    """One event for one webhook: written in the event's own transaction, claimed by one worker, sent, marked.

    The body is fixed when the event happens, so every attempt sends the same bytes under the same delivery id
    (the receiver's key for dropping a repeat)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("webhook"))
    delivery_id = models.UUIDField(_("delivery id"), unique=True, editable=False)
    event = models.CharField(_("event"), max_length=30, choices=WebhookEvent.choices)
    body = models.TextField(_("body"), editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True,
                                                       help_text=_("The receiver's last HTTP status."))
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "due_at"]), models.Index(fields=["claim_token"])]

    def __str__(self):
        return f"{self.get_event_display()} → {self.webhook}"
