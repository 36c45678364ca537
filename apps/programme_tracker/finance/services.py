"""Business actions of the finance module: a spreadsheet import, from the upload through its dry run to its commit.

A big file takes longer to check and import than a web request may last, so both steps are background jobs
(finance/jobs.py). The uploaded file is kept in the database, in parts, so that whichever worker takes the job can
read it, on whatever host; the job's progress goes through the cache (Redis when the site has it), which every web
process reads. The file is removed when the import ends, and by the purge job a day after the upload at the latest.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from redis.exceptions import RedisError

from programme_tracker.accounts.roles import is_administrator
from programme_tracker.core import jobs
from programme_tracker.finance.imports import KINDS
from programme_tracker.finance.models import SpreadsheetImport, SpreadsheetPart
from programme_tracker.finance.progress import Snapshot

log = logging.getLogger(__name__)

PART_SIZE = 1024 * 1024  # bytes of the file per row: well under a database packet (MariaDB's default is 16 MB)
JOB_TIMEOUT = 3600  # seconds a dry run or a commit may take on a worker
KEPT_FOR = timedelta(days=1)  # an upload never imported is removed after this long
State = SpreadsheetImport.State

# Kept in the database in English and shown in the reader's language (the page translates them).
QUEUE_DOWN = gettext_noop("The job queue cannot be reached, so the file could not be checked; nothing was imported. "
                          "Try again in a few minutes.")


def may_import(user, kind: str) -> bool:
    """Whether the person may import this kind of record (add and change it)."""
    model = KINDS[kind].model._meta
    return user.has_perms([f"{model.app_label}.add_{model.model_name}",
                           f"{model.app_label}.change_{model.model_name}"])


def may_follow(user, upload: SpreadsheetImport) -> bool:
    """Whether the person may see an import's progress and report: the one who uploaded it, and administrators."""
    return upload.uploaded_by_id == user.pk or is_administrator(user)


def upload_spreadsheet(user, kind: str, filename: str, data: bytes, *, sheet: str = "",
                       decimal_mark: str = "") -> SpreadsheetImport:
    """Keep an uploaded spreadsheet where every worker can read it and start its dry run in the background."""
    with transaction.atomic():
        upload = SpreadsheetImport.objects.create(uploaded_by=user, kind=kind, filename=filename[:255],
                                                  size=len(data), sheet=sheet, decimal_mark=decimal_mark)
        # One row per part, one at a time: a single INSERT of a 50 MB file would exceed the database's packet size.
        for number, start in enumerate(range(0, len(data), PART_SIZE)):
            SpreadsheetPart.objects.create(spreadsheet_import=upload, number=number,
                                           data=data[start:start + PART_SIZE])
    # Queued only once committed: the worker must find the file.
    if not _enqueue(upload, "check"):
        end(upload.pk, State.FAILED, error=QUEUE_DOWN)
        upload.refresh_from_db()
    return upload


def confirm_import(user, upload: SpreadsheetImport) -> bool:
    """Start the commit of a checked import, as its uploader confirms the dry run; False when the import was not
    waiting for that (already confirmed, or refused), or the job queue cannot be reached."""
    now = timezone.now()
    claimed = SpreadsheetImport.objects.filter(pk=upload.pk, uploaded_by=user, state=State.CHECKED).update(
        state=State.WAITING_TO_IMPORT, confirmed_at=now)
    if not claimed:  # a second click, or another tab, finds it taken
        return False
    if not _enqueue(upload, "commit"):
        SpreadsheetImport.objects.filter(pk=upload.pk, state=State.WAITING_TO_IMPORT).update(
            state=State.CHECKED, confirmed_at=None)  # the dry run still holds: confirm again later
        return False
    return True


def _enqueue(upload: SpreadsheetImport, step: str) -> bool:
    try:
        jobs.enqueue(f"programme_tracker.finance.jobs.{step}", upload.pk, timeout_seconds=JOB_TIMEOUT,
                     description=f"programme-tracker import {step} {upload.public_id} ({upload.filename})")
    except RedisError:
        log.exception("Could not queue the %s of import %s", step, upload.public_id)
        return False
    return True


def stored_file(upload: SpreadsheetImport) -> bytes:
    """The uploaded file, put together from its parts."""
    parts = SpreadsheetPart.objects.filter(spreadsheet_import=upload).order_by("number")
    return b"".join(bytes(data) for data in parts.values_list("data", flat=True).iterator())


def end(import_id: int, state: str, *, report: dict | None = None, error: str = "") -> None:
    """Record how a dry run or commit ended; an import that has ended no longer keeps its file."""
    SpreadsheetImport.objects.filter(pk=import_id).update(state=state, finished_at=timezone.now(), report=report,
                                                          error=error)
    if state in SpreadsheetImport.ENDED:
        SpreadsheetPart.objects.filter(spreadsheet_import_id=import_id).delete()


def progress_key(upload: SpreadsheetImport) -> str:
    """The cache key of an import's progress."""
    return f"finance-import-progress:{upload.public_id}"


def publish_progress(upload: SpreadsheetImport, snapshot: Snapshot) -> None:
    """Make an import's progress readable by every web process."""
    cache.set(progress_key(upload), snapshot.as_dict(), int(KEPT_FOR.total_seconds()))


def progress_of(upload: SpreadsheetImport) -> Snapshot:
    """The latest progress of a running import (a waiting one when none is known, e.g. the cache was emptied)."""
    return Snapshot.from_dict(cache.get(progress_key(upload)))


def forget_progress(upload: SpreadsheetImport) -> None:
    """Drop an import's progress once its job has ended (the page then shows the report)."""
    cache.delete(progress_key(upload))
