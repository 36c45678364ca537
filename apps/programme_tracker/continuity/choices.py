"""The words of the alert lifecycle (severity, state, what happened), shared by the rules, models and listeners.

A module of its own so that the rules and the modules above continuity can use them without importing models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How urgent an alert is; critical alerts are sent at once, the rest in the daily digest."""

    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class AlertState(models.TextChoices):
    """Where an alert stands in its lifecycle (DESIGN.md)."""

    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    RESOLVED = "resolved", _("Resolved")


# Most urgent first, for lists and e-mails.
SEVERITY_ORDER = (Severity.CRITICAL, Severity.WARNING, Severity.INFO)
STATE_ORDER = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISMISSED, AlertState.RESOLVED)
# States in which the condition is still being followed up.
ACTIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)
# States a scan may resolve when the condition is no longer found.
UNRESOLVED_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISMISSED)


class EventKind(models.TextChoices):
    """What happened to an alert."""

    OPENED = "opened", _("Opened")
    REOPENED = "reopened", _("Reopened")
    CRITICAL = "critical", _("Became critical")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    REASSIGNED = "reassigned", _("Reassigned")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")


# Events that people are told about.
NOTIFIED_EVENTS = (EventKind.OPENED, EventKind.REOPENED, EventKind.CRITICAL, EventKind.REASSIGNED,
                   EventKind.ESCALATED)
