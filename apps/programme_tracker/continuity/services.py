"""Business actions on alerts: re-evaluate, acknowledge, dismiss, reassign. One transaction each, with history."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.continuity.choices import ACTIVE_STATES, AlertState, EventKind
from programme_tracker.continuity.listeners import publish
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.continuity.scan import ScanResult, run_scan, take_scan_lock
from programme_tracker.core.models import refused_characters
from programme_tracker.portfolio.models import Programme, ProgrammeRecommendation

MAX_REASON = 2000  # a reason is a few sentences; the alert's history and e-mails repeat it


def neighbours(programme_ids: Iterable[int]) -> set[int]:
    """The programmes whose findings can change with these: themselves, predecessors, successors, and programmes
    implementing the same recommendations (rule 6 asks whether someone else covers them)."""
    ids = set(programme_ids)
    related = set(Programme.objects.filter(pk__in=ids, predecessor__isnull=False).values_list("predecessor_id",
                                                                                               flat=True))
    related |= set(Programme.objects.filter(predecessor_id__in=ids).values_list("pk", flat=True))
    shared = ProgrammeRecommendation.objects.filter(programme_id__in=ids).values("recommendation_id")
    related |= set(ProgrammeRecommendation.objects.filter(recommendation_id__in=shared)
                   .values_list("programme_id", flat=True))
    return ids | related


def reevaluate_programmes(programme_ids: Iterable[int], as_of: date | None = None) -> ScanResult:
    """Run the rules for these programmes (and their neighbours) now; the rest of the portfolio is left alone."""
    return run_scan(as_of, programme_ids=neighbours(programme_ids))


# The states an action may start from; one place, read by the action form and checked again under the lock.
ALLOWED_FROM = {
    EventKind.ACKNOWLEDGED: (AlertState.OPEN,),
    EventKind.DISMISSED: ACTIVE_STATES,
}


def check_state(alert: Alert, kind: str) -> None:
    """Refuse an action the alert's state does not allow (acknowledge only what is open, dismiss what is active)."""
    if kind in ALLOWED_FROM and alert.state not in ALLOWED_FROM[kind]:
        raise ValidationError(
            _("This alert cannot be changed that way; its state is: %(state)s.") % {"state": alert.get_state_display()}
        )


def check_dismissal(reason: str, accepted_until: date | None, today: date | None = None) -> str:
    """The reason for a dismissal, stripped, or a ValidationError naming the field that is wrong."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for dismissing the alert.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason to %(max)s characters.") % {"max": MAX_REASON}})
    if refused_characters(reason, multi_line=True):
        raise ValidationError({"reason": _("Remove the invisible control characters from the reason.")})
    if accepted_until is not None and accepted_until < (today or timezone.localdate()):
        raise ValidationError({"accepted_until": _("The date the risk is accepted until cannot be in the past.")})
    return reason


def _change_state(alert_id: int, actor, kind: str, to_state: str, note: str = "", **fields) -> Alert:
    """Move one alert to a new state if its state allows, with an event naming who; refuse otherwise."""
    with transaction.atomic():
        take_scan_lock()  # not while a scan is deciding this alert's state from what it read before
        alert = Alert.objects.get(pk=alert_id)
        check_state(alert, kind)
        now = timezone.now()
        AlertEvent.objects.create(alert=alert, kind=kind, at=now, actor=actor, from_state=alert.state,
                                  to_state=to_state, note=note, batch=uuid.uuid4().hex)
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.state, alert.state_changed_at = to_state, now
        alert.save(update_fields=["state", "state_changed_at", *fields])
        return alert


def acknowledge(alert_id: int, *, actor) -> Alert:
    """Somebody has seen the alert and is working on it (open → acknowledged)."""
    return _change_state(alert_id, actor, EventKind.ACKNOWLEDGED, AlertState.ACKNOWLEDGED)


def dismiss(alert_id: int, *, actor, reason: str, accepted_until: date | None = None,
            today: date | None = None) -> Alert:
    """Set an alert aside with a reason; with `accepted_until`, it reopens after that day if still true."""
    reason = check_dismissal(reason, accepted_until, today)
    note = reason + (f" (risk accepted until {accepted_until})" if accepted_until else "")
    return _change_state(alert_id, actor, EventKind.DISMISSED, AlertState.DISMISSED, note,
                         dismissed_reason=reason, accepted_until=accepted_until)


def assignable_people():
    """The people an alert can be handed to: active staff accounts that may read alerts (through their role)."""
    may_read = Q(groups__permissions__codename="view_alert", groups__permissions__content_type__app_label="continuity")
    may_read |= Q(user_permissions__codename="view_alert",
                  user_permissions__content_type__app_label="continuity") | Q(is_superuser=True)
    return get_user_model().objects.filter(may_read, is_active=True, is_staff=True).distinct().order_by("username")


def reassign(alert_id: int, *, actor, assignee) -> Alert:
    """Hand an alert to another person (None: back to the automatic choice); scans keep a hand-picked assignee."""
    if assignee is not None and not assignable_people().filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("%(user)s has no active account that may read alerts.")
                               % {"user": assignee}})
    with transaction.atomic():
        take_scan_lock()
        alert = Alert.objects.get(pk=alert_id)
        note = _("reassigned to %(user)s") % {"user": assignee or _("the automatic choice")}
        batch = uuid.uuid4().hex
        AlertEvent.objects.create(alert=alert, kind=EventKind.REASSIGNED, actor=actor, from_state=alert.state,
                                  to_state=alert.state, note=note, batch=batch)
        alert.assignee, alert.assigned_by_hand = assignee, assignee is not None
        alert.save(update_fields=["assignee", "assigned_by_hand"])
        if assignee is not None:
            publish(batch)
    if assignee is None:
        run_scan(programme_ids=[alert.programme_id] if alert.programme_id else [])
        alert.refresh_from_db()
    return alert
