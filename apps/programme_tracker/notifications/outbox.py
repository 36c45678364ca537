"""The e-mail outbox: record in the alert's transaction, claim, send, mark.

Delivery is at least once and never lost. A notification row is written in the same transaction as the alert
change it reports. A worker claims due rows with a conditional UPDATE (only rows still waiting, or claimed so long
ago that their worker must have died), so two workers never take the same row; it sends, then marks them sent. A
worker killed between claim and mark leaves its rows to be claimed again after CLAIM_TIMEOUT: at most one
duplicate e-mail, nothing lost. A mail server that is down puts the rows back with a later due time (backoff).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.utils import timezone

from programme_tracker.continuity.choices import NOTIFIED_EVENTS, SEVERITY_ORDER
from programme_tracker.continuity.models import AlertEvent
from programme_tracker.core import bulk, outbox
from programme_tracker.notifications.audience import EVENT_FACTS, Audience, EventFacts
from programme_tracker.notifications.emails import compose
from programme_tracker.notifications.models import EmailState, Notification, Preference

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this belongs to a worker that died
BATCH = 1000
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# After this many tries the mail server has been refusing for more than a day: the e-mail is marked not delivered,
# shown to Administrators, and no longer retried.
MAX_ATTEMPTS = 16
# Failures that trying again cannot fix: a header the message cannot carry, an address the server refuses.
PERMANENT_FAILURES = (ValueError, UnicodeError, SMTPRecipientsRefused)


def notify_alert_events(batch: str) -> int:
    """Write the notifications for one batch of alert events, in the caller's transaction; returns how many.

    Registered with continuity's listeners (apps.py): every batch of alert events written comes here."""
    if not batch:
        return 0
    events = [
        EventFacts(*row)
        for row in AlertEvent.objects.filter(batch=batch, kind__in=NOTIFIED_EVENTS).values_list(*EVENT_FACTS)
    ]
    if not events:
        return 0
    audience, now, rows = Audience(), timezone.now(), []
    for facts in events:
        for user_id, (reason, arguments) in audience.told(facts).items():
            state, due = audience.email(user_id, facts.severity, facts.kind, now)
            rows.append(Notification(recipient_id=user_id, event_id=facts.event_id, alert_id=facts.alert_id,
                                     reason=audience.reason(user_id, reason, arguments)[:100], reason_key=reason,
                                     created_at=now,
                                     email_state=state, email_due_at=due))
    bulk.insert(rows)
    return len(rows)


def _due(now: datetime) -> Q:
    return Q(email_state=EmailState.PENDING, email_due_at__lte=now) | Q(
        email_state=EmailState.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def claim(now: datetime | None = None, limit: int = BATCH) -> str | None:
    """Take up to `limit` due e-mails for this worker with one conditional UPDATE; returns the claim token."""
    now = now or timezone.now()
    return outbox.claim(Notification, _due(now), ("email_due_at", "id"), limit, email_state=EmailState.CLAIMED,
                        claimed_at=now)


def deliver_due(now: datetime | None = None) -> int:
    """Claim and send every due e-mail, one message per recipient; returns how many notifications were sent."""
    sent = 0
    while True:
        token = claim(now)
        if token is None:
            return sent
        sent += send_claimed(token)


def send_claimed(token: str) -> int:
    """Send the notifications claimed under `token`, grouped per recipient, each in the recipient's language, and
    mark them; failures wait and retry."""
    claimed = (
        Notification.objects.filter(claim_token=token, email_state=EmailState.CLAIMED)
        .select_related("recipient", "alert__programme", "alert__funding_period", "event__actor")
        .order_by("recipient_id", "id")
    )
    per_recipient = defaultdict(list)
    for notification in claimed:
        per_recipient[notification.recipient_id].append(notification)
    for notifications in per_recipient.values():
        notifications.sort(key=lambda n: SEVERITY_ORDER.index(n.alert.severity))
    preferences = {preference.user_id: preference
                   for preference in Preference.objects.filter(user_id__in=per_recipient)}
    sent = 0
    for recipient_id, notifications in per_recipient.items():
        mine = Notification.objects.filter(claim_token=token, recipient_id=recipient_id)
        try:
            address = notifications[0].recipient.email
            if not address:
                raise SMTPRecipientsRefused({"": (0, b"the person has no e-mail address")})
            email = compose(notifications, preferences.get(recipient_id))
            message = EmailMultiAlternatives(email.subject, email.text, email.from_email, to=[address],
                                             reply_to=email.reply_to, headers=email.headers)
            message.attach_alternative(email.html, "text/html")
            message.send()
        except Exception as exc:  # the mail server is down or refused: wait and try again, nothing is lost
            attempts = max(n.attempts for n in notifications)
            if isinstance(exc, PERMANENT_FAILURES) or attempts >= MAX_ATTEMPTS:
                # Retrying cannot help: set it aside for an Administrator, so it neither loops nor holds others up.
                log.error("E-mail to user %s not delivered (attempt %s): %s", recipient_id, attempts, exc)
                mine.update(email_state=EmailState.FAILED, claim_token="", last_error=str(exc)[:1000])
                continue
            delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
            log.warning("E-mail to user %s failed (attempt %s): %s", recipient_id, attempts, exc)
            mine.update(email_state=EmailState.PENDING, claim_token="", email_due_at=timezone.now() + delay,
                        last_error=str(exc)[:1000])
            continue
        sent += mine.update(email_state=EmailState.SENT, sent_at=timezone.now(), last_error="")
    return sent
