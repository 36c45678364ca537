"""Run the task force's rules as soon as a change to its records is committed, so that an action marked done or a
decision recorded settles its alerts at once rather than at the next daily scan."""

import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from programme_tracker.continuity.scan import run_scan
from programme_tracker.taskforce.figures import TASK_FORCE_RULES
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member

log = logging.getLogger(__name__)
_pending = threading.local()


def task_force_changed() -> None:
    """Run the task-force rules once the current transaction commits (once, however many records it changed)."""
    _pending.changes = getattr(_pending, "changes", 0) + 1
    # The first callback to run takes every pending change; the others find none left. (A change left by a
    # rolled-back transaction makes the next commit run the rules once more: harmless.)
    transaction.on_commit(_run)


def _run() -> None:
    if not getattr(_pending, "changes", 0):
        return
    _pending.changes = 0
    try:
        run_scan(rules=TASK_FORCE_RULES)
    except Exception:  # the change itself has committed; the daily scan will catch up
        log.exception("Running the task-force rules after a change failed")


@receiver([post_save, post_delete], sender=ActionItem)
@receiver([post_save, post_delete], sender=Decision)
@receiver([post_save, post_delete], sender=Meeting)
@receiver([post_save, post_delete], sender=AgendaItem)
@receiver([post_save, post_delete], sender=Member)
def _record_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        task_force_changed()


@receiver(m2m_changed, sender=Decision.alerts.through)
@receiver(m2m_changed, sender=ActionItem.alerts.through)
def _alerts_linked(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        task_force_changed()
