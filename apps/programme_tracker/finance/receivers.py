"""Re-evaluate a programme when its money records change (the continuity receivers do the work on commit)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from programme_tracker.continuity.receivers import programme_changed
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche


@receiver([post_save, post_delete], sender=BudgetLine)
def _budget_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        programme_changed(instance.programme_id)


@receiver([post_save, post_delete], sender=Commitment)
@receiver([post_save, post_delete], sender=Tranche)
@receiver([post_save, post_delete], sender=Payment)
@receiver([post_save, post_delete], sender=ReportDue)
@receiver([post_save, post_delete], sender=Expenditure)
def _money_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        programme_changed(instance.funding_period.programme_id)
