"""What the task force did about alerts, in a line each, for the alert inbox: on the agenda of a coming meeting, a
decision, an open action item with its due day and owner."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting


def follow_up(alert_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each alert, the lines saying what the task force did about it (three queries, however many alerts)."""
    ids, notes = list(alert_ids), defaultdict(list)
    agenda = (AgendaItem.objects.filter(alert_id__in=ids, meeting__status=Meeting.Status.PLANNED)
              .exclude(outcome=AgendaItem.Outcome.DROPPED).order_by("meeting__starts_at")
              .values_list("alert_id", "meeting__starts_at"))
    for alert_id, starts_at in agenda:
        notes[alert_id].append(_("on the agenda of %(day)s") % {"day": date_format(timezone.localdate(starts_at))})
    decisions = (Decision.alerts.through.objects.filter(alert_id__in=ids)
                 .order_by("decision__year", "decision__sequence")
                 .values_list("alert_id", "decision__year", "decision__sequence"))
    for alert_id, year, sequence in decisions:
        notes[alert_id].append(_("decision %(number)s") % {"number": Decision(year=year, sequence=sequence).number})
    actions = (ActionItem.alerts.through.objects.filter(alert_id__in=ids, actionitem__state=ActionItem.State.OPEN)
               .order_by("actionitem__due_on")
               .values_list("alert_id", "actionitem__due_on", "actionitem__owner__username"))
    for alert_id, due, owner in actions:
        notes[alert_id].append(_("action due %(day)s (%(owner)s)") % {"day": date_format(due), "owner": owner})
    return notes
