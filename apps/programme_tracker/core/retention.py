"""Retention: how long the register keeps what it records about people and their work, enforced by a daily job.

What is kept, and for how long (site settings; docs/operations/security.md, Privacy):
- change history (who changed what): `keep_history_months`; the latest version of each record is always kept,
  because the desk shows who last changed it;
- the audit record (log-ins, exports, imports): `keep_audit_days`;
- notifications: read ones whose e-mail is settled, `keep_notifications_days`;
- job runs: `keep_job_runs_days`; expired sessions: deleted at once.
Higher modules add their own with `register()` (as notifications does for its rows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from programme_tracker.core.jobs import Job
from programme_tracker.core.jobs import register as register_job
from programme_tracker.core.models import AuditEvent, JobRun

# name → function(now) that deletes what is past its time and returns how many rows went.
RULES: dict[str, Callable[[datetime], int]] = {}


def register(name: str, rule: Callable[[datetime], int]) -> None:
    """Add a higher module's retention rule (called from its AppConfig.ready)."""
    RULES[name] = rule


def _history_models():
    """The history tables of django-simple-history (one per tracked model)."""
    return [model for model in apps.get_models() if hasattr(model, "instance_type")]


def forget_old_history(now: datetime) -> int:
    """Delete history versions older than the setting, except each record's latest version."""
    cutoff = now - timedelta(days=round(settings.RETENTION["keep_history_months"] * 30.44))
    deleted = 0
    for model in _history_models():
        newer = model.objects.filter(id=OuterRef("id"), history_id__gt=OuterRef("history_id"))  # ids only grow
        old = model.objects.filter(history_date__lt=cutoff).filter(Exists(newer))
        # Through a list of ids: MariaDB refuses a DELETE whose subquery reads the same table.
        ids = list(old.values_list("history_id", flat=True)[:100_000])
        deleted += model.objects.filter(history_id__in=ids).delete()[0] if ids else 0
    return deleted


def forget_old_audit_records(now: datetime) -> int:
    """Delete audit records older than the setting."""
    return AuditEvent.objects.filter(at__lt=now - timedelta(days=settings.RETENTION["keep_audit_days"])).delete()[0]


def forget_old_job_runs(now: datetime) -> int:
    """Delete job runs older than the setting."""
    cutoff = now - timedelta(days=settings.RETENTION["keep_job_runs_days"])
    return JobRun.objects.filter(started_at__lt=cutoff).delete()[0]


def forget_expired_sessions(now: datetime) -> int:
    """Delete sessions past their expiry (Django's clearsessions, for the database session store)."""
    return Session.objects.filter(expire_date__lt=now).delete()[0]


register("history", forget_old_history)
register("audit records", forget_old_audit_records)
register("job runs", forget_old_job_runs)
register("sessions", forget_expired_sessions)


def enforce_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete everything past its retention, rule by rule (each in its own transaction); returns rows per rule."""
    now = now or timezone.now()
    counts = {}
    for name, rule in RULES.items():
        with transaction.atomic():
            counts[name] = rule(now)
    return counts


register_job(Job("retention", "programme_tracker.core.retention.enforce_retention", every_seconds=6 * 3600,
                 timeout_seconds=1800))
