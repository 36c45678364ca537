"""Business actions of the task force: number a decision and carry it out, agree an action, record what a meeting
made of an agenda item, finish or cancel an action.

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
from programme_tracker.core.models import ConcurrentEditError
from programme_tracker.portfolio.models import Programme
from programme_tracker.taskforce import listeners
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member

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
    listeners.publish(decision)
    return decision


@transaction.atomic
def add_action(*, actor, programmes=(), recommendations=(), alerts=(), **fields) -> ActionItem:
    """Agree an open action item with its subjects; a field that is wrong raises ValidationError naming it."""
    action = ActionItem(**fields)
    if action.owner_id and not action.owner.is_active:
        raise ValidationError({"owner": _("%(user)s has no active account.") % {"user": action.owner}})
    action._history_user = actor
    action.save()
    action.programmes.set(programmes)
    action.recommendations.set(recommendations)
    action.alerts.set(alerts)
    return action


def subjects_of(item: AgendaItem) -> dict[str, list[int]]:
    """What a decision or action agreed under an agenda item is about: the item's alert (and its programme), its
    programme or its recommendation."""
    if item.alert_id:
        alert = item.alert
        return {"alerts": [alert.pk], "programmes": [alert.programme_id] if alert.programme_id else [],
                "recommendations": [alert.recommendation_id] if alert.recommendation_id else []}
    return {"programmes": [item.programme_id] if item.programme_id else [],
            "recommendations": [item.recommendation_id] if item.recommendation_id else []}


def _prefixed(prefix: str, error: ValidationError) -> ValidationError:
    """A record's field errors under the names of the meeting form's fields (decision_text, action_owner)."""
    if not hasattr(error, "error_dict"):
        return ValidationError({f"{prefix}_": error.messages})
    return ValidationError({f"{prefix}_{name}": messages for name, messages in error.message_dict.items()})


def add_item(meeting_id: int, *, actor, title: str) -> AgendaItem:
    """Add an item by hand at the end of a meeting's agenda (any other business raised in the meeting)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ValidationError({"title": _("This meeting was cancelled.")})
        last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem(meeting=meeting, position=last + 1, title=" ".join(title.split()))
        item._history_user = actor
        item.save()
        return item


def record_outcome(item_id: int, *, actor, version: int, outcome: str, note: str = "", decision: dict | None = None,
                   action: dict | None = None) -> AgendaItem:
    """Record what the meeting made of one agenda item: its outcome and note, and with them a new decision and a
    new action item when given (about the item's subject; the action follows from the decision).

    `version` is the item's version the secretary had on screen: a stale one is refused (ConcurrentEditError). A
    wrong field raises ValidationError under the form's field name, and nothing is saved. The first outcome marks a
    planned meeting held; a meeting's outcomes are recorded from its day on, never for a cancelled one.
    """
    with transaction.atomic():
        item = AgendaItem.objects.select_related("meeting", "alert").select_for_update().get(pk=item_id)
        if item.version != version:
            raise ConcurrentEditError(item)
        meeting = item.meeting
        day = timezone.localdate(meeting.starts_at)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ValidationError({"outcome": _("This meeting was cancelled.")})
        if day > timezone.localdate():
            raise ValidationError({"outcome": _("Outcomes are recorded from the day of the meeting on.")})
        if outcome not in AgendaItem.Outcome.values or outcome == AgendaItem.Outcome.PENDING:
            raise ValidationError({"outcome": _("Choose what the meeting made of this item.")})
        recorded = None
        if decision:
            try:
                recorded = record_decision(actor=actor, meeting=meeting, agenda_item=item, decided_on=day,
                                           **subjects_of(item), **decision)
            except ValidationError as exc:
                raise _prefixed("decision", exc) from exc
        if action:
            try:
                add_action(actor=actor, agenda_item=item, decision=recorded, **subjects_of(item), **action)
            except ValidationError as exc:
                raise _prefixed("action", exc) from exc
        if outcome == AgendaItem.Outcome.DECIDED and not (recorded or item.decisions.exists()):
            raise ValidationError({"decision_text": _("Record the decision taken on this item.")})
        if outcome == AgendaItem.Outcome.ACTIONS and not (action or item.actions.exists()):
            raise ValidationError({"action_what": _("Record the action agreed on this item.")})
        item.outcome, item.note = outcome, note.strip()
        item._history_user = actor
        item.save()
        if meeting.status == Meeting.Status.PLANNED:
            meeting.status = Meeting.Status.HELD
            meeting._history_user = actor
            meeting.save(update_fields=["status"])
        return item


def chairs() -> list[int]:
    """The task force's chairs today (active accounts): told of every escalation (continuity's escalation)."""
    return list(Member.objects.on(timezone.localdate()).filter(role=Member.Role.CHAIR, person__is_active=True)
                .values_list("person_id", flat=True))


def _finish(action_id: int, *, actor, state: str, **fields) -> ActionItem:
    with transaction.atomic():
        action = ActionItem.objects.select_for_update().get(pk=action_id)
        if action.state != ActionItem.State.OPEN:
            raise ValidationError(_("This action item is closed already; its state is: %(state)s.")
                                  % {"state": action.get_state_display()})
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
