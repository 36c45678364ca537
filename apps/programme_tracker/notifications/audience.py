"""Who is told about an alert event, why, in which language, and when their e-mail is due (DESIGN.md, "Who is told")."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import EventKind, Severity
from programme_tracker.continuity.escalation import told_of_escalations
from programme_tracker.notifications.models import Delivery, EmailState, Preference, Subscription
from programme_tracker.portfolio.models import Organisation

# Why a person is told, in the source language; written into the notification in the person's own language.
REASONS = {
    "assigned": gettext_noop("the alert is assigned to you"),
    "owner": gettext_noop("you own %(code)s"),
    "contact": gettext_noop("you are a contact of the lead ministry of %(code)s"),
    "coordinator": gettext_noop("you coordinate the portfolio"),
    "follower": gettext_noop("you follow these alerts"),
    "escalated": gettext_noop("it is still open and was escalated to the coordinators"),
    "responsible": gettext_noop("it is about something you are to do"),
}


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
    responsible_id: int | None
    responsible_active: bool | None
    programme_id: int | None
    programme_code: str | None
    programme_area: str | None
    lead_ministry_id: int | None
    owner_id: int | None
    owner_active: bool | None
    recommendation_area: str | None


EVENT_FACTS = ("id", "kind", "alert_id", "alert__rule", "alert__severity", "alert__for_coordinators",
               "alert__assigned_by_hand", "alert__assignee_id", "alert__assignee__is_active",
               "alert__responsible_id", "alert__responsible__is_active", "alert__programme_id",
               "alert__programme__code", "alert__programme__area", "alert__programme__lead_ministry_id",
               "alert__programme__owner_id", "alert__programme__owner__is_active", "alert__recommendation__area")

# Who is told and why: the reason's key in REASONS and its arguments.
Told = dict[int, tuple[str, dict]]


class Audience:
    """What deciding who is told needs, loaded once per batch (six queries, whatever the batch's size)."""

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
        preferences = list(Preference.objects.values_list("user_id", "delivery", "language"))
        self.delivery = {user_id: delivery for user_id, delivery, _language in preferences}
        self.languages = {user_id: language for user_id, _delivery, language in preferences if language}
        self._translated: dict[tuple[str, str], str] = {}
        # Told of every escalation besides the coordinators: whom other modules name (the task force's chair).
        self.also_told_of_escalations = told_of_escalations() - set(self.coordinators)

    def told(self, facts: EventFacts) -> Told:
        """Who hears of this event, each with the reason they are told."""
        if facts.kind == EventKind.ESCALATED:
            return dict.fromkeys([*self.coordinators, *self.also_told_of_escalations], ("escalated", {}))
        if facts.kind == EventKind.REASSIGNED:
            return {facts.assignee_id: ("assigned", {})} if facts.assignee_id else {}
        return self.subscribers(facts) | self.responsible(facts)

    def responsible(self, facts: EventFacts) -> Told:
        """Whom it was assigned to by hand, else the person the rule names (an action item's owner); else the owner;
        with no owner, the lead ministry's contacts; with neither, the coordinators (DESIGN.md)."""
        if facts.assigned_by_hand and facts.assignee_id and facts.assignee_active:
            return {facts.assignee_id: ("assigned", {})}
        if facts.responsible_id and facts.responsible_active:
            return {facts.responsible_id: ("responsible", {})}
        if not facts.for_coordinators and facts.programme_id is not None:
            code = {"code": facts.programme_code}
            if facts.owner_id and facts.owner_active:
                return {facts.owner_id: ("owner", code)}
            contacts = self.contacts.get(facts.lead_ministry_id, [])
            if contacts:
                return dict.fromkeys(contacts, ("contact", code))
        return dict.fromkeys(self.coordinators, ("coordinator", {}))

    def subscribers(self, facts: EventFacts) -> Told:
        """Monitors (and others) who follow the alert's area, lead ministry or rule."""
        area = facts.programme_area or facts.recommendation_area or ""
        return {
            user_id: ("follower", {})
            for user_id, s_area, s_ministry, s_rule in self.subscriptions
            if (not s_area or s_area == area) and (not s_ministry or s_ministry == facts.lead_ministry_id)
            and (not s_rule or s_rule == facts.rule)
        }

    def language(self, user_id: int) -> str:
        """The person's language for what they are told: their preference, else the site's."""
        return self.languages.get(user_id) or settings.LANGUAGE_CODE

    def reason(self, user_id: int, key: str, arguments: dict) -> str:
        """Why the person is told, in their language (each text translated once per batch and language)."""
        language = self.language(user_id)
        if (language, key) not in self._translated:
            with translation.override(language):
                self._translated[language, key] = _(REASONS[key])
        return self._translated[language, key] % arguments

    def email(self, user_id: int, severity: str, kind: str, now: datetime) -> tuple[str, datetime | None]:
        """The e-mail state and due time for one recipient, by their preference."""
        delivery = self.delivery.get(user_id, Delivery.CRITICAL_AT_ONCE)
        if user_id not in self.addresses or delivery == Delivery.NO_EMAIL:
            return EmailState.NONE, None
        return EmailState.PENDING, now if goes_at_once(delivery, severity, kind) else next_digest(now)


def goes_at_once(delivery: str, severity: str, kind: str) -> bool:
    """Whether an e-mail about this event goes out at once under the person's delivery preference (else in the
    daily digest)."""
    urgent = severity == Severity.CRITICAL or kind in (EventKind.ESCALATED, EventKind.REASSIGNED)
    return delivery == Delivery.ALL_AT_ONCE or (delivery == Delivery.CRITICAL_AT_ONCE and urgent)


def reason_in_words(key: str, programme_code: str | None) -> str:
    """Why a person is told, in the active language, from the reason's key (empty for notifications written
    before the key was kept)."""
    return _(REASONS[key]) % {"code": programme_code or "?"} if key in REASONS else ""
