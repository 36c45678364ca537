"""A meeting's agenda and minutes as documents (DOCX and PDF through core.documents), in Dutch or English.

The agenda goes out before the meeting: when and where, and each item with the facts of its subject. The minutes
follow it: per item what the meeting made of it, then the decision list and the action list. Minutes not yet
approved say so on their first line.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from programme_tracker.core.documents import Document
from programme_tracker.taskforce.meeting import person, walk
from programme_tracker.taskforce.models import ActionItem, Meeting

KINDS = ("agenda", "minutes")


def _when(meeting: Meeting) -> str:
    """The meeting's day and hours, in the site's time zone."""
    start = timezone.localtime(meeting.starts_at)
    end = start + timedelta(minutes=meeting.duration_minutes)
    return _("%(day)s, %(start)s to %(end)s") % {"day": date_format(start), "start": time_format(start),
                                                  "end": time_format(end)}


def _where(meeting: Meeting) -> str:
    return " · ".join(part for part in (meeting.place, meeting.online_link) if part) or _("place to be announced")


def kind_of(decision) -> str:
    """A decision's kind in words, with the day an accepted risk runs to ("up to and including 31 January")."""
    if decision.kind == decision.Kind.ACCEPT_RISK and decision.accepted_until:
        return _("accept the risk up to and including %(day)s") % {"day": date_format(decision.accepted_until)}
    return decision.get_kind_display().lower()


def decision_rows(decisions) -> list[list[str]]:
    """The decision list: number, what was decided, who answers for it and by when, and its state."""
    return [[decision.number, f"{capfirst(kind_of(decision))}: {decision.text}",
             str(decision.organisation or "—"), date_format(decision.deadline) if decision.deadline else "—",
             decision.get_state_display()] for decision in decisions]


def action_rows(actions) -> list[list[str]]:
    """The action list: what, who, by when, its state, and the decision it follows from."""
    return [[action.what, person(action.owner), date_format(action.due_on), action.get_state_display(),
             action.decision.number if action.decision_id else "—"] for action in actions]


def _decision_table(document: Document, decisions) -> None:
    document.table([_("number"), _("decision"), _("responsible organisation"), _("deadline"), _("state")],
                   decision_rows(decisions), widths=[0.16, 0.42, 0.16, 0.13, 0.13])


def _action_table(document: Document, actions) -> None:
    document.table([_("what"), _("owner"), _("due on"), _("state"), _("decision")], action_rows(actions),
                   widths=[0.36, 0.2, 0.15, 0.13, 0.16])


def agenda_document(meeting: Meeting, *, money: bool) -> Document:
    """The agenda, in the active language: each item with its subject's facts."""
    document = Document(_("Agenda: %(meeting)s") % {"meeting": meeting}, translation.get_language())
    document.paragraph(_when(meeting))
    document.paragraph(_where(meeting))
    items = walk(meeting, timezone.localdate(meeting.starts_at), money=money)
    if not items:
        document.paragraph(_("The agenda is empty."))
    for number, item in enumerate(items, start=1):
        document.heading(f"{number}. {item.title}", 2)
        document.items([f"{fact.label}: {fact.value}" for fact in item.facts])
    return document


def minutes_document(meeting: Meeting, *, money: bool) -> Document:
    """The minutes, in the active language: per item its outcome, note, decisions and actions; then the full
    decision and action lists of the meeting."""
    document = Document(_("Minutes: %(meeting)s") % {"meeting": meeting}, translation.get_language())
    if meeting.minutes_approved_on:
        document.paragraph(_("Approved on %(day)s.") % {"day": date_format(meeting.minutes_approved_on)})
    else:
        document.paragraph(_("Draft: these minutes are not approved yet."))
    document.paragraph(_when(meeting))
    document.paragraph(_where(meeting))
    document.paragraph(_("Status: %(status)s") % {"status": meeting.get_status_display()})
    items = walk(meeting, timezone.localdate(meeting.starts_at), money=money, dropped=True)
    for number, item in enumerate(items, start=1):
        document.heading(f"{number}. {item.title}", 2)
        outcome = item.get_outcome_display() if item.outcome else _("Not discussed")
        document.paragraph(_("Outcome: %(outcome)s") % {"outcome": outcome})
        if item.note:
            document.paragraph(item.note)
        document.items([_("Decision %(number)s (%(kind)s): %(text)s") % {
            "number": decision.number, "kind": kind_of(decision), "text": decision.text}
            for decision in item.decisions.all()] + [_("Action: %(what)s (%(owner)s, due %(day)s)") % {
                "what": action.what, "owner": person(action.owner), "day": date_format(action.due_on)}
            for action in item.actions.all()])
    if meeting.minutes:
        document.heading(_("Further notes"))
        document.paragraph(meeting.minutes)
    document.heading(_("Decisions"))
    decisions = meeting.decisions.select_related("organisation").order_by("year", "sequence")
    if decisions:
        _decision_table(document, decisions)
    else:
        document.paragraph(_("No decisions were taken."))
    document.heading(_("Action items"))
    actions = (ActionItem.objects.filter(agenda_item__meeting=meeting) | ActionItem.objects.filter(
        decision__meeting=meeting)).distinct().select_related("owner", "decision").order_by("due_on", "pk")
    if actions:
        _action_table(document, actions)
    else:
        document.paragraph(_("No action items were agreed."))
    return document


def document_for(meeting: Meeting, kind: str, language: str, *, money: bool) -> Document:
    """The agenda or the minutes of a meeting, in `language`."""
    with translation.override(language):
        return (agenda_document if kind == "agenda" else minutes_document)(meeting, money=money)


def filename(meeting: Meeting, kind: str, language: str) -> str:
    """The download's name without extension, in the document's language: notulen-taskforce-2027-03-11."""
    with translation.override(language):
        word, body = (_("agenda") if kind == "agenda" else _("minutes")), _("task force")
        return slugify(f"{word} {body} {timezone.localdate(meeting.starts_at).isoformat()}")

