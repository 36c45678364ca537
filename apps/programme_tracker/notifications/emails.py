"""The e-mail about one or more alerts, composed from templates (text and HTML) in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from programme_tracker.notifications.models import Notification


def compose(notifications: list[Notification], language: str | None = None) -> tuple[str, str, str]:
    """The subject, plain-text body and HTML body of one e-mail about the given notifications of one person, in
    `language` (empty: the site's)."""
    reader = notifications[0].recipient if notifications else None  # one person's e-mail: their permissions
    with translation.override(language or settings.LANGUAGE_CODE):
        site = settings.SITE_URL.rstrip("/")
        context = {
            "count": len(notifications),
            "items": [{
                "alert": n.alert, "severity": n.alert.get_severity_display(), "rule": n.alert.rule_title,
                "message": n.alert.message_for(reader), "what": n.event.get_kind_display().lower(),
                "why": n.reason,
                "url": site + reverse("admin:continuity_alert_change", args=[n.alert_id]),
            } for n in notifications],
            "preferences_url": site + reverse("admin:notifications_preference_changelist"),
        }
        # A subject is one line: names saved before control characters were refused must not break the header.
        subject = " ".join(render_to_string("notifications/emails/alerts-subject.txt", context).split())
        text = render_to_string("notifications/emails/alerts-body.txt", context)
        html = render_to_string("notifications/emails/alerts-body.html", context)
    return subject, text, html
