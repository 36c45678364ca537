"""Re-evaluate a programme as soon as a change to it is committed, so the desk shows its flags right away.

The receivers only note which programmes changed; one scoped scan per transaction runs after the commit (an
import of a thousand programmes is one re-evaluation, not a thousand). The logic lives in scan.run_scan.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from programme_tracker.portfolio.models import FundingPeriod, Programme, ProgrammeRecommendation

log = logging.getLogger(__name__)
_pending = threading.local()


def programme_changed(programme_id: int | None) -> None:
    """Re-evaluate this programme (and its neighbours) once the current transaction commits."""
    if programme_id is None:
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(programme_id)
    # One callback per change; the first to run takes every pending programme, the others find nothing left.
    # (Ids left by a rolled-back transaction are re-evaluated with the next commit: harmless extra work.)
    transaction.on_commit(_flush)


def _flush() -> None:
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    if not ids:
        return
    from programme_tracker.continuity.services import reevaluate_programmes

    try:
        reevaluate_programmes(ids)
    except Exception:  # the save itself has committed; the daily scan will catch up
        log.exception("Re-evaluating programmes %s after a save failed", sorted(ids))


@receiver([post_save, post_delete], sender=Programme)
def _programme_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        programme_changed(instance.pk)


@receiver([post_save, post_delete], sender=FundingPeriod)
@receiver([post_save, post_delete], sender=ProgrammeRecommendation)
def _part_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        programme_changed(instance.programme_id)
