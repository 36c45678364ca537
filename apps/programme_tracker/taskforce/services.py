"""Business actions of the task force: number a decision and carry it out, finish or cancel an action.

One transaction each; the history of every record they change names the person acting.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.continuity import services as alert_services
from programme_tracker.continuity.choices import ACTIVE_STATES
from programme_tracker.portfolio.models import Programme
from programme_tracker.taskforce.models import ActionItem, Decision, Member

NUMBERING_TRIES = 5  # two secretaries numbering at the same moment: the second takes the next number


def number(decision: Decision, *, actor) -> Decision:
    """Save a new decision with the next number of its year (TF-<year>-<n>), without gaps or doubles."""
    decision._history_user = actor
    decision.year = decision.decided_on.year
    for attempt in range(NUMBERING_TRIES):
        last = Decision.objects.filter(year=decision.year).aggregate(last=Max("sequence"))["last"] or 0
        decision.sequence = last + 1
        try:
            with transaction.atomic():  # a savepoint: a number taken meanwhile fails here alone, then we retry
                decision.save()
            return decision
        except (IntegrityError, ValidationError):
            # Taken meanwhile: seen by the model's own unique check, or by the database when both checked at once.
            taken = Decision.objects.filter(year=decision.year, sequence=decision.sequence).exists()
            if not taken or attempt == NUMBERING_TRIES - 1:
                raise
            decision.pk, decision._state.adding = None, True
    return decision


def carry_out(decision: Decision, *, actor) -> None:
    """Do what the decision's kind says to its subjects: an accepted risk dismisses its open alerts until the day
    given (through the inbox's own service, so the alerts reopen after it if still true); a transfer of ownership
    hands its programmes to the new owner."""
    if decision.kind == Decision.Kind.ACCEPT_RISK:
        reason = _("Decision %(number)s: %(text)s") % {"number": decision.number, "text": decision.text}
        for alert_id in decision.alerts.filter(state__in=ACTIVE_STATES).values_list("pk", flat=True):
            alert_services.dismiss(alert_id, actor=actor, reason=reason[: alert_services.MAX_REASON],
                                   accepted_until=decision.accepted_until)
    elif decision.kind == Decision.Kind.TRANSFER_OWNERSHIP and decision.new_owner_id:
        for programme in Programme.objects.filter(task_force_decisions=decision).exclude(owner=decision.new_owner):
            programme.owner = decision.new_owner
            programme._history_user = actor
            programme.save()


@transaction.atomic
def record_decision(*, actor, programmes=(), recommendations=(), alerts=(), **fields) -> Decision:
    """Record a decision with its subjects, number it and carry it out; a field that is wrong raises
    ValidationError naming it, and nothing is saved."""
    decision = Decision(**fields)
    decision.year, decision.sequence = decision.decided_on.year if decision.decided_on else 0, 0
    decision.full_clean(exclude=["year", "sequence"])
    number(decision, actor=actor)
    decision.programmes.set(programmes)
    decision.recommendations.set(recommendations)
    decision.alerts.set(alerts)
    carry_out(decision, actor=actor)
    return decision


def chairs() -> list[int]:
    """The task force's chairs today (active accounts): told of every escalation (continuity's escalation)."""
    return list(Member.objects.on(timezone.localdate()).filter(role=Member.Role.CHAIR, person__is_active=True)
                .values_list("person_id", flat=True))


def _finish(action_id: int, *, actor, state: str, **fields) -> ActionItem:
    with transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action_id)
        if action.state != ActionItem.State.OPEN:
            raise ValidationError(_("This action is %(state)s already.") % {"state": action.get_state_display()})
        action.state = state
        for name, value in fields.items():
            setattr(action, name, value)
        action._history_user = actor
        action.save()
        return action


def complete_action(action_id: int, *, actor, done_on: date, evidence: str) -> ActionItem:
    """Mark an open action done on a day, with a note of where the result can be found."""
    return _finish(action_id, actor=actor, state=ActionItem.State.DONE, done_on=done_on, evidence=evidence.strip())


def cancel_action(action_id: int, *, actor, reason: str) -> ActionItem:
    """Cancel an open action, saying why."""
    return _finish(action_id, actor=actor, state=ActionItem.State.CANCELLED, cancelled_reason=reason.strip())
