"""Scheduled work of the continuity module."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from programme_tracker.continuity.escalation import escalate
from programme_tracker.continuity.models import ScanState
from programme_tracker.continuity.scan import run_scan


def scan_is_due(now: datetime) -> bool:
    """True once per local day: after daily_scan_time, when no full scan as of today has run yet (a scan run by
    hand as of another date does not count: the alerts must reflect today)."""
    local = timezone.localtime(now)
    if local.strftime("%H:%M") < settings.DAILY_SCAN_TIME:
        return False
    last = ScanState.objects.filter(pk=1).values_list("last_full_scan_as_of", flat=True).first()
    return last != local.date()


def daily_scan(now: datetime | None = None) -> dict:
    """The daily job: the full scan when due, then escalation of alerts left open too long."""
    now = now or timezone.now()
    summary = run_scan(timezone.localdate(now)).summary() if scan_is_due(now) else {"scan": "not due"}
    summary["escalated"] = escalate(now)
    return summary
