"""Who is told about an alert, and the e-mail outbox: record in the alert's transaction, claim, send, mark.

Delivery is at least once and never lost. A notification row is written in the same transaction as the alert
change it reports. A worker claims due rows with a conditional UPDATE (only rows still waiting, or claimed so long
ago that their worker must have died), so two workers never take the same row; it sends, then marks them sent. A
worker killed between claim and mark leaves its rows to be claimed again after CLAIM_TIMEOUT: at most one
duplicate e-mail, nothing lost. A mail server that is down puts the rows back with a later due time (backoff).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import (
    NOTIFIED_EVENTS,
    SEVERITY_ORDER,
    Alert,
    AlertEvent,
    AlertState,
    EventKind,
    Severity,
)
from programme_tracker.core import bulk
from programme_tracker.notifications.models import Delivery, EmailState, Notification, Preference, Subscription
from programme_tracker.portfolio.models import Organisation

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this belongs to a worker that died
BATCH = 1000
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# After this many tries the mail server has been refusing for more than a day: the e-mail is marked not delivered,
# shown to Administrators, and no longer retried.
MAX_ATTEMPTS = 16
# Failures that trying again cannot fix: a header the message cannot carry, an address the server refuses.
PERMANENT_FAILURES = (ValueError, UnicodeError, SMTPRecipientsRefused)


def next_digest(now: datetime) -> datetime:
    """The next daily digest time (site setting digest_time, local) after `now`."""
    hours, minutes = (int(part) for part in settings.DIGEST_TIME.split(":"))
    local = timezone.localtime(now)
    at = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


class EventFacts(NamedTuple):
    """What deciding who hears of one alert event needs, read as one plain row (no model instances)."""

    event_id: int
    kind: str
    alert_id: int
    rule: str
    severity: str
    for_coordinators: bool
    assigned_by_hand: bool
    assignee_id: int | None
    assignee_active: bool | None
    programme_id: int | None
    programme_code: str | None
    programme_area: str | None
    lead_ministry_id: int | None
    owner_id: int | None
    owner_active: bool | None
    recommendation_area: str | None


EVENT_FACTS = ("id", "kind", "alert_id", "alert__rule", "alert__severity", "alert__for_coordinators",
               "alert__assigned_by_hand", "alert__assignee_id", "alert__assignee__is_active", "alert__programme_id",
               "alert__programme__code", "alert__programme__area", "alert__programme__lead_ministry_id",
               "alert__programme__owner_id", "alert__programme__owner__is_active", "alert__recommendation__area")


class _Audience:
    """What deciding who is told needs, loaded once per batch (five queries, whatever the batch's size)."""

    def __init__(self):
        User = get_user_model()
        self.coordinators = list(
            User.objects.filter(is_active=True, groups__name=roles.COORDINATOR).values_list("pk", flat=True)
        )
        self.contacts = defaultdict(list)
        for org_id, user_id in Organisation.contacts.through.objects.filter(user__is_active=True).values_list(
            "organisation_id", "user_id"
        ):
            self.contacts[org_id].append(user_id)
        self.subscriptions = list(
            Subscription.objects.filter(user__is_active=True).values_list("user_id", "area", "ministry_id", "rule")
        )
        self.addresses = dict(User.objects.filter(is_active=True).exclude(email="").values_list("pk", "email"))
        self.delivery = dict(Preference.objects.values_list("user_id", "delivery"))
        self.reasons = {  # translated once per batch
            "assigned": _("the alert is assigned to you"), "owner": _("you own %(code)s"),
            "contact": _("you are a contact of the lead ministry of %(code)s"),
            "coordinator": _("you coordinate the portfolio"), "follower": _("you follow these alerts"),
            "escalated": _("it is still open and was escalated to the coordinators"),
        }

    def told(self, facts: EventFacts) -> dict[int, str]:
        """Who hears of this event, each with the reason they are told."""
        if facts.kind == EventKind.ESCALATED:
            return dict.fromkeys(self.coordinators, self.reasons["escalated"])
        if facts.kind == EventKind.REASSIGNED:
            return {facts.assignee_id: self.reasons["assigned"]} if facts.assignee_id else {}
        return self.subscribers(facts) | self.responsible(facts)

    def responsible(self, facts: EventFacts) -> dict[int, str]:
        """Owner first; with no owner, the lead ministry's contacts; with neither, the coordinators (DESIGN.md)."""
        if facts.assigned_by_hand and facts.assignee_id and facts.assignee_active:
            return {facts.assignee_id: self.reasons["assigned"]}
        if not facts.for_coordinators and facts.programme_id is not None:
            if facts.owner_id and facts.owner_active:
                return {facts.owner_id: self.reasons["owner"] % {"code": facts.programme_code}}
            contacts = self.contacts.get(facts.lead_ministry_id, [])
            if contacts:
                return dict.fromkeys(contacts, self.reasons["contact"] % {"code": facts.programme_code})
        return dict.fromkeys(self.coordinators, self.reasons["coordinator"])

    def subscribers(self, facts: EventFacts) -> dict[int, str]:
        """Monitors (and others) who follow the alert's area, lead ministry or rule."""
        area = facts.programme_area or facts.recommendation_area or ""
        return {
            user_id: self.reasons["follower"]
            for user_id, s_area, s_ministry, s_rule in self.subscriptions
            if (not s_area or s_area == area) and (not s_ministry or s_ministry == facts.lead_ministry_id)
            and (not s_rule or s_rule == facts.rule)
        }

    def email(self, user_id: int, severity: str, kind: str, now: datetime) -> tuple[str, datetime | None]:
        """The e-mail state and due time for one recipient, by their preference."""
        delivery = self.delivery.get(user_id, Delivery.CRITICAL_AT_ONCE)
        if user_id not in self.addresses or delivery == Delivery.NO_EMAIL:
            return EmailState.NONE, None
        urgent = severity == Severity.CRITICAL or kind in (EventKind.ESCALATED, EventKind.REASSIGNED)
        if delivery == Delivery.ALL_AT_ONCE or (delivery == Delivery.CRITICAL_AT_ONCE and urgent):
            return EmailState.PENDING, now
        return EmailState.PENDING, next_digest(now)


def notify_alert_events(batch: str) -> int:
    """Write the notifications for one batch of alert events, in the caller's transaction; returns how many."""
    if not batch:
        return 0
    events = [
        EventFacts(*row)
        for row in AlertEvent.objects.filter(batch=batch, kind__in=NOTIFIED_EVENTS).values_list(*EVENT_FACTS)
    ]
    if not events:
        return 0
    audience, now, rows = _Audience(), timezone.now(), []
    for facts in events:
        for user_id, reason in audience.told(facts).items():
            state, due = audience.email(user_id, facts.severity, facts.kind, now)
            rows.append(Notification(recipient_id=user_id, event_id=facts.event_id, alert_id=facts.alert_id,
                                     reason=reason[:100], created_at=now, email_state=state, email_due_at=due))
    bulk.insert(rows)
    return len(rows)


def escalate(now: datetime | None = None) -> int:
    """Escalate alerts open for longer than escalate_after_days to the coordinators, once each; returns how many."""
    from programme_tracker.continuity.scan import take_scan_lock

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CONTINUITY_ESCALATE_AFTER_DAYS)
    with transaction.atomic():
        take_scan_lock()  # one escalation at a time, and not while a scan changes states
        due = list(Alert.objects.filter(state=AlertState.OPEN, escalated_at__isnull=True,
                                        state_changed_at__lte=cutoff))
        if not due:
            return 0
        ids = [alert.pk for alert in due]
        for start in range(0, len(ids), BATCH):  # a bounded IN list (SQLite limits the parameters of a statement)
            Alert.objects.filter(pk__in=ids[start:start + BATCH]).update(escalated_at=now)
        batch = uuid.uuid4().hex
        bulk.insert([
            AlertEvent(alert=alert, kind=EventKind.ESCALATED, at=now, from_state=alert.state, to_state=alert.state,
                       note=f"open since {timezone.localtime(alert.state_changed_at):%Y-%m-%d}", batch=batch)
            for alert in due
        ])
        notify_alert_events(batch)
    return len(due)


def _due(now: datetime) -> Q:
    return Q(email_state=EmailState.PENDING, email_due_at__lte=now) | Q(
        email_state=EmailState.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT
    )


def claim(now: datetime | None = None, limit: int = BATCH) -> str | None:
    """Take up to `limit` due e-mails for this worker with one conditional UPDATE; returns the claim token."""
    now = now or timezone.now()
    ids = list(Notification.objects.filter(_due(now)).order_by("email_due_at", "id").values_list("pk", flat=True)[
        :limit])
    if not ids:
        return None
    token = uuid.uuid4().hex
    # The condition is checked again by the UPDATE itself: rows another worker took meanwhile are left alone.
    taken = Notification.objects.filter(_due(now), pk__in=ids).update(
        email_state=EmailState.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token if taken else None


def deliver_due(now: datetime | None = None) -> int:
    """Claim and send every due e-mail, one message per recipient; returns how many notifications were sent."""
    sent = 0
    while True:
        token = claim(now)
        if token is None:
            return sent
        sent += send_claimed(token)


def send_claimed(token: str) -> int:
    """Send the notifications claimed under `token`, grouped per recipient, and mark them; failures wait and retry."""
    claimed = (
        Notification.objects.filter(claim_token=token, email_state=EmailState.CLAIMED)
        .select_related("recipient", "alert", "event").order_by("recipient_id", "id")
    )
    per_recipient = defaultdict(list)
    for notification in claimed:
        per_recipient[notification.recipient_id].append(notification)
    for notifications in per_recipient.values():
        notifications.sort(key=lambda n: SEVERITY_ORDER.index(n.alert.severity))
    sent = 0
    for recipient_id, notifications in per_recipient.items():
        mine = Notification.objects.filter(claim_token=token, recipient_id=recipient_id)
        try:
            address = notifications[0].recipient.email
            if not address:
                raise SMTPRecipientsRefused({"": (0, b"the person has no e-mail address")})
            subject, body = compose(notifications)
            send_mail(subject, body, None, [address])
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


def compose(notifications: list[Notification]) -> tuple[str, str]:
    """The subject and plain-text body of one e-mail about one or more alerts."""
    with translation.override(settings.LANGUAGE_CODE):
        first = notifications[0]
        if len(notifications) == 1:
            subject = f"[Programme Tracker] {first.alert.get_severity_display()}: {first.alert.rule} — " \
                      f"{first.alert.subject_label}"
        else:
            subject = "[Programme Tracker] " + _("%(count)s alerts for you") % {"count": len(notifications)}
        # A subject is one line: names saved before control characters were refused must not break the header.
        subject = " ".join(subject.split())
        blocks = []
        for n in notifications:
            alert = n.alert
            blocks.append("\n".join([
                f"{alert.get_severity_display().upper()} · {alert.rule} · {alert.subject_label}",
                alert.message,
                _("What happened: %(what)s. Why you are told: %(why)s.") % {
                    "what": n.event.get_kind_display().lower(), "why": n.reason},
                f"{settings.SITE_URL.rstrip('/')}/desk/continuity/alert/{alert.pk}/change/",
            ]))
        footer = _("You can change how you receive these e-mails under Notifications → Preferences in the desk.")
        return subject, "\n\n".join(blocks) + "\n\n-- \n" + footer


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
    audience, now, changed = _Audience(), timezone.now(), 0
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


def mark_read(user, notification_ids=None) -> int:
    """Mark a person's notifications read (all of them, or the given ones); returns how many changed."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        mine = mine.filter(pk__in=notification_ids)
    return mine.update(read_at=timezone.now())


def unread_count(user) -> int:
    """How many of a person's notifications are unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
