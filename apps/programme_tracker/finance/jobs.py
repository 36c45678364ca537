"""Background jobs of the finance module: the dry run and the commit of a spreadsheet import, and the purge of
uploads that are done with.

`check` and `commit` are queued by finance/services.py (on RQ, or on a thread of the web process without Redis);
`purge` is a scheduled job (registered in apps.py, so the scheduler starts it every 15 minutes).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from programme_tracker.core import audit
from programme_tracker.core.jobs import Job
from programme_tracker.core.models import AuditEvent
from programme_tracker.finance import services
from programme_tracker.finance.imports import import_money
from programme_tracker.finance.models import SpreadsheetImport, SpreadsheetPart
from programme_tracker.finance.progress import Progress

State = SpreadsheetImport.State
PURGE = Job("purge-imports", "programme_tracker.finance.jobs.purge", every_seconds=900, timeout_seconds=300)
# A job still marked running this long after it started has lost its worker (RQ stops it at JOB_TIMEOUT).
PROGRESS_EVERY = 0.5  # seconds between two publications of a job's progress
STALLED_AFTER = timedelta(seconds=services.JOB_TIMEOUT) + timedelta(minutes=10)
CRASHED = gettext_noop("The import stopped with an error before the end; nothing was imported. Upload the file "
                       "again; if it happens again, tell an administrator.")
STALLED = gettext_noop("The worker running the import stopped before the end; nothing was imported. Upload the "
                       "file again.")


def check(import_id: int) -> str:
    """Job: the dry run of an uploaded spreadsheet (what would change, every problem by row and column)."""
    return _run(import_id, commit=False)


def commit(import_id: int) -> str:
    """Job: the commit of a checked spreadsheet, as its uploader confirmed it: every row saved, or none."""
    return _run(import_id, commit=True)


def _run(import_id: int, *, commit: bool) -> str:
    waiting, running = (State.WAITING_TO_IMPORT, State.IMPORTING) if commit else (State.WAITING_TO_CHECK,
                                                                                   State.CHECKING)
    # Claimed with a conditional UPDATE: a job delivered twice, or an import purged meanwhile, runs no more.
    claimed = SpreadsheetImport.objects.filter(pk=import_id, state=waiting).update(
        state=running, started_at=timezone.now(), run_by=f"{socket.gethostname()}:{os.getpid()}"[:100])
    if not claimed:
        return "not waiting"
    upload = SpreadsheetImport.objects.select_related("uploaded_by").get(pk=import_id)
    progress = Progress(lambda snapshot: services.publish_progress(upload, snapshot), interval=PROGRESS_EVERY)
    try:
        data = services.stored_file(upload)
        options = {"user": upload.uploaded_by, "sheet": upload.sheet or None,
                   "decimal_mark": upload.decimal_mark or None, "progress": progress}
        if commit:
            # The outcome is written in the same transaction as the rows: it says imported if and only if they are.
            with transaction.atomic():
                report = import_money(upload.kind, data, upload.filename, commit=True, **options)
                state = State.IMPORTED if report.committed else State.REFUSED
                services.end(import_id, state, report=report.as_dict())
                if report.committed:
                    audit.record(AuditEvent.Kind.IMPORT, user=upload.uploaded_by,
                                 detail=f"{upload.kind} {upload.filename}: {report.rows} rows")
        else:
            report = import_money(upload.kind, data, upload.filename, **options)
            state = State.CHECKED if report.ok else State.REFUSED
            services.end(import_id, state, report=report.as_dict())
    except Exception:
        services.end(import_id, State.FAILED, error=CRASHED)
        raise  # RQ keeps the job with its traceback in the failed jobs (desk: /desk/jobs/)
    finally:
        services.forget_progress(upload)
    return (f"{state}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.problem_count} problems")


def purge(now: datetime | None = None) -> dict:
    """Job: imports whose worker stopped are marked stopped, uploads older than a day are removed (with their
    report), and no ended import keeps its file."""
    now = now or timezone.now()
    stalled = SpreadsheetImport.objects.filter(state__in=SpreadsheetImport.RUNNING,
                                               started_at__lt=now - STALLED_AFTER)
    marked = stalled.update(state=State.FAILED, finished_at=now, error=STALLED)
    running = now - timedelta(seconds=services.JOB_TIMEOUT)
    old = SpreadsheetImport.objects.filter(uploaded_at__lt=now - services.KEPT_FOR).exclude(
        state__in=SpreadsheetImport.RUNNING, started_at__gte=running)
    removed = old.delete()[1].get(SpreadsheetImport._meta.label, 0)
    files = SpreadsheetPart.objects.filter(spreadsheet_import__state__in=SpreadsheetImport.ENDED).delete()[0]
    return {"stalled": marked, "removed": removed, "file parts removed": files}
