"""Escalation: alerts left open too long are handed to the coordinators (and whom other modules name), once each."""

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programme_tracker.continuity.choices import AlertState, EventKind
from programme_tracker.continuity.listeners import publish
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.continuity.scan import take_scan_lock
from programme_tracker.core import bulk

BATCH = 1000
# Who is told of every escalation besides the coordinators, as functions other modules register (the task force
# names its chair); each returns user ids.
_ALSO_TOLD: list[Callable[[], Iterable[int]]] = []


def also_tell_of_escalations(people: Callable[[], Iterable[int]]) -> None:
    """Register a function naming more people (user ids) to tell of every escalation."""
    _ALSO_TOLD.append(people)


def told_of_escalations() -> set[int]:
    """The people the registered functions name now (one query each)."""
    return {user_id for people in _ALSO_TOLD for user_id in people()}


def escalate(now: datetime | None = None) -> int:
    """Escalate alerts open for longer than escalate_after_days to the coordinators, once each; returns how many."""
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
        publish(batch)
    return len(due)
