"""The e-mail about one or more alerts, in the reader's language: a greeting, what happened in words, what to do,
where to act, why the reader receives it; as text and as HTML (templates), with the headers that keep automatic
replies away."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from email.utils import formataddr, parseaddr
from itertools import groupby

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme_tracker.continuity.choices import SEVERITY_ORDER, AlertState, EventKind, Severity
from programme_tracker.continuity.rules import RULES
from programme_tracker.notifications.audience import goes_at_once, reason_in_words
from programme_tracker.notifications.models import Delivery, Notification, Preference

SENDER_NAME = "Programme Tracker"


@dataclass
class Email:
    """One composed e-mail: what EmailMultiAlternatives needs."""

    subject: str
    text: str
    html: str
    from_email: str
    reply_to: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def compose(notifications: list[Notification], preference: Preference | None = None) -> Email:
    """The e-mail to one person about their notifications, by their `preference` (None: the defaults): in its
    language (empty: the site's); a daily digest when its delivery put any of them there."""
    reader = notifications[0].recipient  # one person's e-mail: their name, their programmes, their permissions
    preference = preference or Preference(user=reader)
    delivery = preference.delivery
    with translation.override(preference.language or settings.LANGUAGE_CODE):
        site = settings.SITE_URL.rstrip("/")
        today = timezone.localdate()
        digest = not all(goes_at_once(delivery, n.alert.severity, n.event.kind) for n in notifications)
        preferences = site + _preferences_path(preference)
        context = {
            "greeting": _("Dear %(name)s,") % {"name": reader.get_full_name() or reader.username},
            "intro": (_("Your daily digest of %(day)s: what happened to the alerts since the last one, your own "
                        "programmes first.") % {"day": date_format(today, "DATE_FORMAT")} if digest else
                      ngettext("This alert needs your attention.", "These alerts need your attention.",
                               len(notifications))),
            "groups": _groups(notifications, reader, site),
            "all_url": site + reverse("desk:inbox") + "?mine=1",
            "setting": _setting_in_words(delivery),
            "preferences_url": preferences,
            "questions": _("Questions to %(address)s.") % {"address": settings.MAIL_REPLY_TO}
            if settings.MAIL_REPLY_TO else _("Questions to the task force's coordinators."),
        }
        subject = _subject(notifications, digest, today)
        context["subject"] = subject
        # The template's tags leave blank lines behind: one blank line between parts, as a person writes.
        text = re.sub(r"\n{3,}", "\n\n", render_to_string("notifications/emails/alerts-body.txt", context))
        html = render_to_string("notifications/emails/alerts-body.html", context)
    return Email(
        # A subject is one line: names saved before control characters were refused must not break the header.
        subject=" ".join(subject.split()), text=text, html=html, from_email=_sender(),
        reply_to=[settings.MAIL_REPLY_TO] if settings.MAIL_REPLY_TO else [],
        headers={
            "Auto-Submitted": "auto-generated",  # RFC 3834: no automatic replies to it
            "X-Auto-Response-Suppress": "All",  # Outlook's and Exchange's out-of-office replies
            "List-Unsubscribe": f"<{preferences}>",
        },
    )


def _sender() -> str:
    """The site's sender address, with the product's name where the setting gives none."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return settings.DEFAULT_FROM_EMAIL if name or not address else formataddr((SENDER_NAME, address))


def _preferences_path(preference: Preference) -> str:
    """The person's own notification preference in the desk (the form to make one if they have none yet)."""
    return (reverse("admin:notifications_preference_change", args=[preference.pk]) if preference.pk
            else reverse("admin:notifications_preference_add"))


def _setting_in_words(delivery: str) -> str:
    """How the person receives these e-mails, as a sentence part."""
    time = settings.DIGEST_TIME
    return {
        Delivery.ALL_AT_ONCE: _("every alert at once"),
        Delivery.DIGEST_ONLY: _("everything in a daily digest at %(time)s") % {"time": time},
    }.get(delivery, _("critical alerts at once, the rest in a daily digest at %(time)s") % {"time": time})


SEVERITY_COUNTS = {
    Severity.CRITICAL: lambda n: ngettext("%(count)s critical", "%(count)s critical", n),
    Severity.WARNING: lambda n: ngettext("%(count)s warning", "%(count)s warnings", n),
    Severity.INFO: lambda n: ngettext("%(count)s for information", "%(count)s for information", n),
}


def _subject(notifications: list[Notification], digest: bool, today) -> str:
    """'Daily digest 30 November 2026: 14 alerts (2 critical, 12 warnings)'; one alert: its severity, rule and
    subject."""
    severities = [n.alert.severity for n in notifications]
    counts = ", ".join(SEVERITY_COUNTS[s](severities.count(s)) % {"count": severities.count(s)}
                       for s in SEVERITY_ORDER if s in severities)
    alerts = ngettext("%(count)s alert", "%(count)s alerts", len(notifications)) % {"count": len(notifications)}
    if digest:
        return _("Daily digest %(day)s: %(alerts)s (%(counts)s)") % {
            "day": date_format(today, "DATE_FORMAT"), "alerts": alerts, "counts": counts}
    if len(notifications) == 1:
        alert = notifications[0].alert
        return f"{alert.get_severity_display()}: {alert.rule_title} — {alert.subject_in_words}"
    return _("%(alerts)s for you (%(counts)s)") % {"alerts": alerts, "counts": counts}


def happened(notification: Notification) -> str:
    """What happened to the alert, in words and with its day."""
    event, alert = notification.event, notification.alert
    day = date_format(timezone.localdate(event.at), "DATE_FORMAT")
    if event.kind == EventKind.ESCALATED:
        since = timezone.localdate(alert.opened_at)
        days = (timezone.localdate(event.at) - since).days
        return ngettext(
            "Open since %(since)s (%(days)s day) without anyone acting on it; on %(day)s it was escalated to the "
            "coordinators.",
            "Open since %(since)s (%(days)s days) without anyone acting on it; on %(day)s it was escalated to the "
            "coordinators.", days) % {"since": date_format(since, "DATE_FORMAT"), "days": days, "day": day}
    if event.kind == EventKind.REASSIGNED:
        by = event.actor.get_full_name() or event.actor.username if event.actor else ""
        return (_("Assigned to you on %(day)s by %(person)s.") % {"day": day, "person": by} if by
                else _("Assigned to you on %(day)s.") % {"day": day})
    if event.kind == EventKind.CRITICAL:
        return _("Became critical on %(day)s.") % {"day": day}
    if event.kind == EventKind.REOPENED:
        if event.from_state == AlertState.DISMISSED:
            return _("Found again on %(day)s: it had been dismissed, and the risk accepted up to and including "
                     "then has run out.") % {"day": day}
        return _("Found again on %(day)s, after it had been resolved.") % {"day": day}
    return _("Newly found on %(day)s.") % {"day": day}


def _item(notification: Notification, reader, site: str) -> dict:
    alert = notification.alert
    return {
        "alert": alert, "severity": alert.get_severity_display(), "rule": alert.rule_title,
        # The programme an alert is about heads its group: the line names only what else it is about.
        "subject": "" if alert.subject_key.startswith("programme:") else alert.subject_in_words,
        "message": alert.message_for(reader), "happened": happened(notification),
        "why": reason_in_words(notification.reason_key, alert.programme.code if alert.programme else None)
        or notification.reason,
        "url": f"{site}{reverse('desk:inbox')}?alert={alert.pk}",
        "period": alert.funding_period.code if alert.funding_period else "",
    }


def _about_the_period_itself(notification: Notification) -> bool:
    rule = RULES.get(notification.alert.rule)
    return rule is None or rule.subject not in ("tranche", "report")  # the parts of a funding period


def _groups(notifications: list[Notification], reader, site: str) -> list[dict]:
    """The alerts by programme, the reader's own programmes first, then recommendations and the task force;
    within each, the alerts about one funding period together (a late report and the tranche it blocks), the
    most severe first."""
    def group_key(n):
        programme = n.alert.programme
        if programme is not None:
            return (0 if programme.owner_id == reader.pk else 1, programme.code)
        return (2, "") if n.alert.recommendation_id else (3, "")

    def severity(n):
        return SEVERITY_ORDER.index(n.alert.severity)

    groups = []
    for (rank, _code), members in groupby(sorted(notifications, key=group_key), key=group_key):
        members = list(members)
        # The most severe alert about a funding period leads the others about the same period; within it, those
        # about a part of it (a tranche, a report: one cause and its effects) come first, then the period's own.
        lead = {}
        for n in members:
            lead[n.alert.funding_period_id] = min(lead.get(n.alert.funding_period_id, 9), severity(n))
        members.sort(key=lambda n: (lead[n.alert.funding_period_id] if n.alert.funding_period_id else severity(n),
                                    n.alert.funding_period_id or 0, _about_the_period_itself(n), severity(n),
                                    n.alert.key_date or date.max))
        programme = members[0].alert.programme if rank < 2 else None
        items = [_item(n, reader, site) for n in members]
        shared = {item["period"] for item in items if item["period"]
                  and sum(1 for other in items if other["period"] == item["period"]) > 1}
        for index, item in enumerate(items):
            # A line over alerts that share a cause: the first of two or more about one funding period.
            item["related"] = item["period"] in shared and (index == 0 or items[index - 1]["period"] != item["period"])
        # Said once for the group when it is the same for all its alerts, so that no line repeats itself.
        why = items[0]["why"] if len({item["why"] for item in items}) == 1 else ""
        if why:
            for item in items:
                item["why"] = ""
        groups.append({
            "title": (f"{programme.code} — {programme.name}" if programme else
                      _("Recommendations") if rank == 2 else _("Task force")),
            "yours": rank == 0, "why": why,
            "url": f"{site}{reverse('desk:programme', args=[programme.pk])}" if programme else "",
            "items": items,
        })
    return groups
