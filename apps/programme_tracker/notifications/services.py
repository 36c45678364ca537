"""What a person does with their notifications: read them, change how they are told, send undelivered mail again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programme_tracker.notifications.audience import Audience
from programme_tracker.notifications.models import EmailState, Notification


@transaction.atomic
def send_again(notification_ids) -> int:
    """Put undelivered e-mails back in the outbox, due now, with a fresh count of tries (after fixing the cause)."""
    return Notification.objects.filter(pk__in=notification_ids, email_state=EmailState.FAILED).update(
        email_state=EmailState.PENDING, email_due_at=timezone.now(), attempts=0, claim_token="")


def forget_old_notifications(now: datetime) -> int:
    """Delete read notifications older than the retention setting whose e-mail needs nothing more."""
    cutoff = now - timedelta(days=settings.RETENTION["keep_notifications_days"])
    return Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False, email_state__in=[
        EmailState.NONE, EmailState.SENT]).delete()[0]


def apply_preference(user) -> int:
    """Re-time a person's waiting e-mails after they changed their preference; returns how many changed."""
    audience, now, changed = Audience(), timezone.now(), 0
    waiting = Notification.objects.filter(recipient=user, email_state=EmailState.PENDING).select_related(
        "alert", "event")
    with transaction.atomic():
        for notification in waiting.select_for_update():
            state, due = audience.email(user.pk, notification.alert.severity, notification.event.kind, now)
            if (state, due) != (notification.email_state, notification.email_due_at):
                # A row whose e-mail is not wanted any more stays in the desk list only. Only rows still waiting
                # are changed: one a worker claimed meanwhile goes out as it was.
                Notification.objects.filter(pk=notification.pk, email_state=EmailState.PENDING).update(
                    email_state=state, email_due_at=due)
                changed += 1
    return changed


def mark_read(user, notification_ids=None, alert_ids=None) -> int:
    """Mark a person's notifications read (all of them, the given ones, or those about the given alerts); returns
    how many changed."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        mine = mine.filter(pk__in=notification_ids)
    if alert_ids is not None:
        mine = mine.filter(alert_id__in=alert_ids)
    return mine.update(read_at=timezone.now())


def unread_count(user) -> int:
    """How many of a person's notifications are unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
