"""Reading the task force's sections into the register, through the portfolio importer (its lookups, its checks
and its list of problems: all or nothing).

References to records of a later section (an agenda item about an action, a decision replaced by a later one)
are kept until that section is read, then set; a reference that stays unknown is a problem naming its field.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.utils import timezone

from programme_tracker.continuity.messages import problem
from programme_tracker.continuity.models import Alert
from programme_tracker.taskforce.exchange.fields import (
    ITEM,
    LISTS,
    MEETING_KEY,
    NUMBER,
    SEAT,
    TASK_FORCE_SUBJECTS,
    TYPES,
    meeting_key,
)
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member

MAX_SEQUENCE = 99_999  # decisions in a year: a larger number is a typing error (and would outgrow the format)
SUBJECT_KIND = re.compile(r"[a-z_]{1,30}")  # a kind of record a rule's alert is about (tranche, report)


@dataclass
class State:
    """What the sections read so far, by key, and the references left to set."""

    alerts: dict[str, Alert] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    items: dict[str, AgendaItem] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    # (meeting key, item, field, document value) for references set once every section is read
    pending: list[tuple[str, AgendaItem, str, str]] = field(default_factory=list)
    replaced: list[tuple[Decision, str, str]] = field(default_factory=list)  # (decision, its state, replaced by)


def _state(importer) -> State:
    if not hasattr(importer, "task_force"):
        importer.task_force = State()
    return importer.task_force


def _typed(importer, section: str, key: str, item: dict[str, Any]) -> bool:
    """Whether each field has its JSON type; lists must be lists of the right things."""
    right = importer.of_right_types(section, key, item, TYPES)
    for name in LISTS:
        if name in item and not isinstance(item[name], list):
            importer.error(section, key, name, "must be a list")
            right = False
    for name in ("programmes", "recommendations", "alerts"):
        if isinstance(item.get(name), list) and not all(isinstance(value, str) for value in item[name]):
            importer.error(section, key, name, "must be a list of texts")
            right = False
    return right


def _aware(text: str) -> datetime | None:
    """A meeting's key as the moment it starts; None unless written exactly as an export writes it (strptime also
    takes "2026-10-1T8:0:0Z", which would be a second key for the same meeting)."""
    try:
        moment = datetime.strptime(text, MEETING_KEY).replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if meeting_key(moment) == text else None


# -- alerts ----------------------------------------------------------------------------------------------------
def _alert_identity(importer, key: str) -> tuple[str, str, str, dict, Alert | None] | None:
    """(rule, subject key on this site, key, subject fields, the stored alert) of an alert's portable key (see
    write.Keys.alert_key); None, with the problem listed, when it names nothing here."""
    parts = key.split("|")
    if len(parts) != 3 or not parts[0]:
        importer.error("task_force_alerts", key, "alert", "must be rule|subject|key, the subject as programme:CODE, "
                                                          "funding_period:CODE, recommendation:CODE, task_force or "
                                                          "KIND@funding_period:CODE (or @programme:, "
                                                          "@recommendation:)")
        return None
    rule, subject, alert_key = parts
    found = Alert.objects.filter(rule=rule, key=alert_key)
    if subject == "task_force":
        return rule, subject, alert_key, {}, found.filter(subject_key=subject).first()
    kind, at, anchor = subject.rpartition("@")
    anchor_kind, _sep, code = anchor.partition(":")
    tables = {"programme": importer.programmes, "funding_period": importer.funding_periods,
              "recommendation": importer.recommendations}
    if anchor_kind not in tables or not code or (at and (not SUBJECT_KIND.fullmatch(kind)
                                                          or kind in TASK_FORCE_SUBJECTS)):
        importer.error("task_force_alerts", key, "alert", f"unknown kind of subject {subject!r}")
        return None
    record = importer.lookup("task_force_alerts", key, "alert", tables[anchor_kind], code,
                             anchor_kind.replace("_", " "))
    if record is None:
        return None
    fields = {anchor_kind: record} | ({"programme": record.programme} if anchor_kind == "funding_period" else {})
    if not at:
        return rule, f"{anchor_kind}:{record.pk}", alert_key, fields, found.filter(
            subject_key=f"{anchor_kind}:{record.pk}").first()
    # A subject without a code of its own: the alert found on the record it belongs to, else kept under the key.
    stored = (found.filter(subject_key__startswith=f"{kind}:", **{anchor_kind: record}).first()
              or found.filter(subject_key=subject).first())
    return rule, subject, alert_key, fields, stored


def alerts(importer) -> None:
    """Import `task_force_alerts`: find each alert, or create it as the document has it."""
    state = _state(importer)
    for key, item in importer.records("task_force_alerts"):
        identity = _alert_identity(importer, key) if _typed(importer, "task_force_alerts", key, item) else None
        if identity is None:
            continue
        rule, subject_key, alert_key, subject, found = identity
        wrong = problem(item.get("message_data") or [])
        if wrong:
            importer.error("task_force_alerts", key, "message_data", wrong)
            continue
        if found is not None:  # the scans own an alert's state: an import only finds it
            importer.counts["task_force_alerts"]["unchanged"] += 1
            state.alerts[key] = found
            continue
        values = {name: item.get(name) for name in ("severity", "state", "subject_label", "message", "key_date",
                                                   "until_date", "first_seen", "last_seen")}
        values["message_data"] = item.get("message_data") or []
        alert = Alert(rule=rule, subject_key=subject_key, key=alert_key, **subject)
        opened = _day(item.get("first_seen"))
        if opened is not None:  # opened when first seen, as far as the document tells
            alert.opened_at = alert.state_changed_at = timezone.make_aware(datetime.combine(opened, time.min))
        saved = importer.save("task_force_alerts", key, alert, values)
        if saved is not None:
            state.alerts[key] = saved


def _day(text) -> date | None:
    """A date written as ISO text; None for anything else (the record's own check names it)."""
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _alert(importer, section: str, key: str, field_name: str, value) -> Alert | None:
    """An alert by its portable key: one of the document's, else none (an unknown one is a problem)."""
    if value in (None, ""):
        return None
    found = _state(importer).alerts.get(value)
    if found is None:
        importer.error(section, key, field_name, f"unknown alert {value!r} (list it in task_force_alerts)")
    return found


# -- members ---------------------------------------------------------------------------------------------------
def members(importer) -> None:
    """Import `task_force_members`: each listed person gets exactly the document's seats."""
    for key, item in importer.records("task_force_members"):
        person = importer.lookup("task_force_members", key, "person", importer.people, key, "person")
        if person is None or not _typed(importer, "task_force_members", key, item):
            continue
        stored = {member.since.isoformat(): member for member in Member.objects.filter(person=person)}
        for position, seat in enumerate(item.get("seats", []), start=1):
            where = f"{key} seats #{position}"
            if not isinstance(seat, dict) or set(seat) - set(SEAT):
                importer.error("task_force_members", where, None, f"must be an object of {', '.join(SEAT)}")
                continue
            if not importer.of_right_types("task_force_members", where, seat, TYPES):
                continue
            obj = stored.pop(seat.get("since"), None) or Member(person=person)
            importer.save("task_force_members", where, obj, {
                "organisation": importer.lookup("task_force_members", where, "organisation", importer.organisations,
                                                seat.get("organisation"), "organisation"),
                "role": seat.get("role") or Member.Role.MEMBER, "since": seat.get("since"),
                "until": seat.get("until")})
        for seat in stored.values():
            seat.delete()


# -- meetings and their agendas ----------------------------------------------------------------------------------
def meetings(importer) -> None:
    """Import `task_force_meetings`: each meeting, and its agenda made exactly the document's items, in order."""
    state = _state(importer)
    stored = {meeting_key(meeting.starts_at): meeting for meeting in Meeting.objects.all()}
    for key, item in importer.records("task_force_meetings"):
        starts_at = _aware(key)
        if starts_at is None:
            importer.error("task_force_meetings", key, "starts_at", "must be the start in UTC, such as "
                                                                    "\"2027-03-11T09:00:00Z\"")
            continue
        if not _typed(importer, "task_force_meetings", key, item):
            continue
        meeting = importer.save("task_force_meetings", key, stored.get(key) or Meeting(), {
            "starts_at": starts_at, "duration_minutes": item.get("duration_minutes", 120),
            "place": item.get("place") or "", "online_link": item.get("online_link") or "",
            "status": item.get("status") or Meeting.Status.PLANNED,
            "agenda_published_on": item.get("agenda_published_on"),
            "minutes_approved_on": item.get("minutes_approved_on"), "minutes": item.get("minutes") or ""})
        if meeting is not None:
            state.meetings[key] = meeting
            unchanged = importer.counts["task_force_meetings"]["unchanged"]
            if _agenda(importer, key, meeting, item.get("agenda", [])) and unchanged:
                # The meeting was counted unchanged, but its agenda changed: it is updated.
                importer.counts["task_force_meetings"]["unchanged"] -= 1
                importer.counts["task_force_meetings"]["updated"] += 1


def _agenda(importer, key: str, meeting: Meeting, entries: list) -> bool:
    """Make the meeting's agenda the document's items, in the order of their positions (the list's order among
    equal ones): the n-th stored item becomes the n-th. Returns whether anything changed."""
    state = _state(importer)
    if len(entries) > AgendaItem.MAX_PER_MEETING:
        importer.error("task_force_meetings", key, "agenda", f"at most {AgendaItem.MAX_PER_MEETING} items")
        return False
    entries = sorted(entries, key=lambda entry: entry.get("position", 0) if isinstance(entry, dict) and isinstance(
        entry.get("position"), int) else 0)
    stored = list(meeting.agenda_items.order_by("position", "pk"))
    changed = len(stored) != len(entries)
    for place, entry in enumerate(entries, start=1):
        where = f"{key} agenda #{place}"
        if not isinstance(entry, dict) or set(entry) - set(ITEM):
            importer.error("task_force_meetings", where, None, f"must be an object of {', '.join(ITEM)}")
            continue
        if not importer.of_right_types("task_force_meetings", where, entry, TYPES):
            continue
        obj = stored[place - 1] if place <= len(stored) else AgendaItem(meeting=meeting)
        values = {
            "position": entry.get("position", place), "title": entry.get("title") or "",
            "origin": entry.get("origin") or AgendaItem.Origin.ADDED, "outcome": entry.get("outcome") or "",
            "note": entry.get("note") or "",
            "alert": _alert(importer, "task_force_meetings", where, "alert", entry.get("alert")),
            "programme": importer.lookup("task_force_meetings", where, "programme", importer.programmes,
                                         entry.get("programme"), "programme"),
            "recommendation": importer.lookup("task_force_meetings", where, "recommendation",
                                              importer.recommendations, entry.get("recommendation"),
                                              "recommendation"),
        }
        # An action or a deferred item may come later in the document: set now when known, else at the end.
        for name, value in (("action", entry.get("action")), ("proposal", entry.get("proposal"))):
            resolved = _reference(importer, name, value)
            if resolved is _LATER:
                state.pending.append((where, obj, name, value))
            else:
                values[name] = resolved
        version = None if obj.pk is None else obj.version
        saved = importer.save("task_force_meetings", where, obj, values, count=False)
        if saved is not None:
            state.items[f"{key}#{place}"] = saved
            changed = changed or version != saved.version
    for surplus in stored[len(entries):]:
        surplus.delete()
    return changed


_LATER = object()  # a reference to a record a later section holds


def _reference(importer, name: str, value):
    """An agenda item's action (by reference) or proposal (by portable keys) as stored; _LATER if not yet known."""
    if value in (None, ""):
        return None if name == "action" else ""
    state = _state(importer)
    if name == "action":
        return ActionItem.objects.filter(reference=_uuid(value)).first() or _LATER
    kind, _sep, target = value.partition(":")
    found = {"alert": lambda: state.alerts.get(target),
             "action": lambda: ActionItem.objects.filter(reference=_uuid(target)).first(),
             "renewal": lambda: importer.funding_periods.get(target),
             "recommendation": lambda: importer.recommendations.get(target),
             "deferred": lambda: state.items.get(target)}.get(kind, lambda: None)()
    return f"{kind}:{found.pk}" if found is not None else _LATER


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return None


# -- decisions and actions ---------------------------------------------------------------------------------------
def _set_links(importer, section: str, key: str, obj, item: dict[str, Any]) -> None:
    """Make a record's programmes, recommendations and alerts those of the document."""
    for name, table, what in (("programmes", importer.programmes, "programme"),
                              ("recommendations", importer.recommendations, "recommendation")):
        wanted = [importer.lookup(section, key, name, table, code, what) for code in item.get(name, [])]
        if set(getattr(obj, name).all()) != set(wanted) and None not in wanted:
            getattr(obj, name).set(wanted)
    wanted = [_alert(importer, section, key, "alerts", value) for value in item.get("alerts", [])]
    if None not in wanted and set(obj.alerts.all()) != set(wanted):
        obj.alerts.set(wanted)


def _item(importer, section: str, key: str, value) -> AgendaItem | None:
    if value in (None, ""):
        return None
    found = _state(importer).items.get(value)
    if found is None:
        importer.error(section, key, "agenda_item", f"unknown agenda item {value!r} (a meeting's start and the "
                                                    f"item's place, such as \"2027-03-11T09:00:00Z#2\")")
    return found


def decisions(importer) -> None:
    """Import `task_force_decisions`; a decision replaced by a later one is marked so once both are read."""
    state = _state(importer)
    stored = {d.number: d for d in Decision.objects.all()}
    for key, item in importer.records("task_force_decisions"):
        number = NUMBER.fullmatch(key)
        if number is None or not 0 < int(number[2]) <= MAX_SEQUENCE or Decision.format_number(
                int(number[1]), int(number[2])) != key:
            importer.error("task_force_decisions", key, "number", f"must be TF-<year>-<number>, such as TF-2027-004, "
                                                                  f"the number at most {MAX_SEQUENCE}")
            continue
        if isinstance(item.get("decided_on"), str) and not item["decided_on"].startswith(number[1]):
            importer.error("task_force_decisions", key, "decided_on", "must be in the year of the number")
            continue
        if not _typed(importer, "task_force_decisions", key, item):
            continue
        obj = stored.get(key) or Decision(year=int(number[1]), sequence=int(number[2]))
        replaced_by = item.get("superseded_by")
        known = stored.get(replaced_by) if replaced_by else None
        meeting = item.get("meeting")
        values = {
            "meeting": state.meetings.get(meeting) if meeting else None,
            "agenda_item": _item(importer, "task_force_decisions", key, item.get("agenda_item")),
            "decided_on": item.get("decided_on"), "kind": item.get("kind") or "", "text": item.get("text") or "",
            "organisation": importer.lookup("task_force_decisions", key, "organisation", importer.organisations,
                                            item.get("organisation"), "organisation"),
            "deadline": item.get("deadline"), "accepted_until": item.get("accepted_until"),
            "new_owner": importer.lookup("task_force_decisions", key, "new_owner", importer.people,
                                         item.get("new_owner"), "person"),
            "state": item.get("state") or Decision.State.IN_FORCE, "superseded_by": known,
            "public": item.get("public", obj.public),  # a file from before the flag leaves it as it is
        }
        if replaced_by and known is None:  # replaced by one read later: in force until that one is read
            values["state"] = Decision.State.IN_FORCE
        if meeting and values["meeting"] is None:
            importer.error("task_force_decisions", key, "meeting", f"unknown meeting {meeting!r}")
        saved = importer.save("task_force_decisions", key, obj, values)
        if saved is None:
            continue
        state.decisions[key] = saved
        _set_links(importer, "task_force_decisions", key, saved, item)
        if replaced_by and known is None:
            state.replaced.append((saved, item.get("state") or Decision.State.SUPERSEDED, replaced_by))
    for decision, decided_state, replaced_by in state.replaced:
        by = state.decisions.get(replaced_by) or _stored_decision(replaced_by)
        if by is None:
            importer.error("task_force_decisions", decision.number, "superseded_by",
                           f"unknown decision {replaced_by!r}")
            continue
        importer.save("task_force_decisions", decision.number, decision, {"superseded_by": by,
                                                                          "state": decided_state}, count=False)


def actions(importer) -> None:
    """Import `task_force_actions`, then set the agenda's references to actions and deferred items."""
    state = _state(importer)
    stored = {str(action.reference): action for action in ActionItem.objects.all()}
    for key, item in importer.records("task_force_actions"):
        reference = _uuid(key)
        if reference is None or str(reference) != key:
            importer.error("task_force_actions", key, "reference", "must be a UUID as an export writes it, such as "
                                                                   "\"0f8fad5b-d9cb-469f-a165-70867728950e\"")
            continue
        if not _typed(importer, "task_force_actions", key, item):
            continue
        decision = item.get("decision")
        values = {
            "what": item.get("what") or "", "due_on": item.get("due_on"), "state": item.get("state") or "open",
            "owner": importer.lookup("task_force_actions", key, "owner", importer.people, item.get("owner"),
                                     "person"),
            "organisation": importer.lookup("task_force_actions", key, "organisation", importer.organisations,
                                            item.get("organisation"), "organisation"),
            "decision": (state.decisions.get(decision) or _stored_decision(decision)) if decision else None,
            "agenda_item": _item(importer, "task_force_actions", key, item.get("agenda_item")),
            "done_on": item.get("done_on"), "evidence": item.get("evidence") or "",
            "cancelled_reason": item.get("cancelled_reason") or "",
        }
        if decision and values["decision"] is None:
            importer.error("task_force_actions", key, "decision", f"unknown decision {decision!r}")
        saved = importer.save("task_force_actions", key, stored.get(str(reference)) or ActionItem(
            reference=reference), values)
        if saved is not None:
            _set_links(importer, "task_force_actions", key, saved, item)
    for where, item, name, value in state.pending:
        resolved = _reference(importer, name, value)
        if resolved is _LATER or item.pk is None:
            importer.error("task_force_meetings", where, name, f"unknown {name} {value!r}")
            continue
        importer.save("task_force_meetings", where, item, {name: resolved}, count=False)


def _stored_decision(number: str) -> Decision | None:
    found = NUMBER.fullmatch(number or "")
    return Decision.objects.filter(year=int(found[1]), sequence=int(found[2])).first() if found else None
