"""Writing the task force's sections: each record with its references as portable keys (a fixed number of queries
for the whole task force)."""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.auth import get_user_model

from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.exchange import iso_date
from programme_tracker.portfolio.models import FundingPeriod, Programme, Recommendation
from programme_tracker.taskforce.exchange.fields import SUBJECTS, TASK_FORCE_SUBJECTS, meeting_key
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member


class Keys:
    """The portable keys of everything the task force's records refer to, read once per export."""

    def __init__(self):
        self.codes = {"programme": dict(Programme.objects.values_list("pk", "code")),
                      "funding_period": dict(FundingPeriod.objects.values_list("pk", "code")),
                      "recommendation": dict(Recommendation.objects.values_list("pk", "code"))}
        self.meetings = {pk: meeting_key(start) for pk, start in Meeting.objects.values_list("pk", "starts_at")}
        self.items: dict[int, str] = {}
        place: dict[int, int] = {}
        for meeting_id, pk in AgendaItem.objects.order_by("meeting_id", "position", "pk").values_list("meeting_id",
                                                                                                    "pk"):
            place[meeting_id] = place.get(meeting_id, 0) + 1
            self.items[pk] = f"{self.meetings[meeting_id]}#{place[meeting_id]}"
        self.actions = {pk: str(reference) for pk, reference in ActionItem.objects.values_list("pk", "reference")}
        self.decisions = {pk: Decision.format_number(year, sequence)
                          for pk, year, sequence in Decision.objects.values_list("pk", "year", "sequence")}
        self.alerts = self._alerts()

    def _alerts(self) -> dict[int, str]:
        """The portable keys of the alerts any task-force record links to (alert_key)."""
        linked = (set(Decision.alerts.through.objects.values_list("alert_id", flat=True))
                  | set(ActionItem.alerts.through.objects.values_list("alert_id", flat=True))
                  | set(AgendaItem.objects.exclude(alert=None).values_list("alert_id", flat=True)))
        rows = Alert.objects.filter(pk__in=linked).values_list("pk", "rule", "subject_key", "key", "programme_id",
                                                               "funding_period_id", "recommendation_id")
        return {pk: key for pk, *alert in rows if (key := self.alert_key(*alert)) is not None}

    def alert_key(self, rule, subject, key, programme_id, funding_period_id, recommendation_id) -> str | None:
        """`rule|subject|key`: the subject by its code (`funding_period:COSA-1`), the task force as `task_force`,
        and a subject with no code of its own (a tranche, a report due) by its kind and the record it belongs to
        (`tranche@funding_period:COSA-1`). None for an alert about the task force's own records, which are not
        carried."""
        kind, _sep, subject_id = subject.partition(":")
        if subject == "task_force" or "@" in subject:  # (the latter: an alert an import created)
            return f"{rule}|{subject}|{key}"
        if kind in SUBJECTS and subject_id.isdigit() and int(subject_id) in self.codes[kind]:
            return f"{rule}|{kind}:{self.codes[kind][int(subject_id)]}|{key}"
        if kind in TASK_FORCE_SUBJECTS:
            return None
        for anchor, anchor_id in (("funding_period", funding_period_id), ("programme", programme_id),
                                  ("recommendation", recommendation_id)):
            if anchor_id in self.codes[anchor]:
                return f"{rule}|{kind}@{anchor}:{self.codes[anchor][anchor_id]}|{key}"
        return None

    def proposal(self, proposal: str) -> str:
        """What the register proposed an item for, by portable keys ("renewal:COSA-1"); "" when that is gone."""
        kind, _sep, pk = proposal.partition(":")
        table = {"alert": self.alerts, "action": self.actions, "renewal": self.codes["funding_period"],
                 "recommendation": self.codes["recommendation"], "deferred": self.items}.get(kind, {})
        found = table.get(int(pk)) if pk.isdigit() else None
        return f"{kind}:{found}" if found else ""

    def links(self, model, owner: str) -> dict[int, dict[str, list[str]]]:
        """Each record's programmes, recommendations and alerts, as sorted keys (three queries)."""
        found: dict[int, dict[str, list[str]]] = {}
        for name, table, target in (("programmes", self.codes["programme"], "programme_id"),
                                    ("recommendations", self.codes["recommendation"], "recommendation_id"),
                                    ("alerts", self.alerts, "alert_id")):
            for pk, linked in getattr(model, name).through.objects.values_list(f"{owner}_id", target):
                if linked in table:
                    found.setdefault(pk, {}).setdefault(name, []).append(table[linked])
        return {pk: {name: sorted(values) for name, values in lists.items()} for pk, lists in found.items()}


# The keys of the export under way in this thread: read by the first of the five sections, used by the others,
# let go by the last (a section written on its own reads them itself).
_export = threading.local()


def _keys() -> Keys:
    return getattr(_export, "keys", None) or Keys()


def alerts(name_of) -> list[dict[str, Any]]:
    """The `task_force_alerts` section, by key."""
    keys = _export.keys = Keys()
    return sorted(({
        "alert": keys.alerts[a.pk], "severity": a.severity, "state": a.state, "subject_label": a.subject_label,
        "message": a.message, "message_data": a.message_data, "key_date": iso_date(a.key_date),
        "until_date": iso_date(a.until_date), "first_seen": iso_date(a.first_seen),
        "last_seen": iso_date(a.last_seen)} for a in Alert.objects.filter(pk__in=keys.alerts)),
        key=lambda record: record["alert"])


def members(name_of) -> list[dict[str, Any]]:
    """The `task_force_members` section: each person's seats, by the day they start."""
    seats: dict[str, list] = {}
    for member in Member.objects.select_related("person", "organisation").order_by("since", "pk"):
        seats.setdefault(name_of(member.person), []).append({
            "organisation": member.organisation.short_name, "role": member.role, "since": iso_date(member.since),
            "until": iso_date(member.until)})
    return [{"person": person, "seats": seats[person]} for person in sorted(seats)]


def meetings(name_of) -> list[dict[str, Any]]:
    """The `task_force_meetings` section, each meeting with its agenda in order."""
    keys = _keys()
    agendas: dict[int, list] = {}
    for item in AgendaItem.objects.order_by("meeting_id", "position", "pk"):
        agendas.setdefault(item.meeting_id, []).append({
            "position": item.position, "title": item.title, "origin": item.origin,
            "proposal": keys.proposal(item.proposal), "outcome": item.outcome, "note": item.note,
            "alert": keys.alerts.get(item.alert_id), "programme": keys.codes["programme"].get(item.programme_id),
            "recommendation": keys.codes["recommendation"].get(item.recommendation_id),
            "action": keys.actions.get(item.action_id)})
    return sorted(({
        "starts_at": keys.meetings[m.pk], "duration_minutes": m.duration_minutes, "place": m.place,
        "online_link": m.online_link, "status": m.status, "agenda_published_on": iso_date(m.agenda_published_on),
        "minutes_approved_on": iso_date(m.minutes_approved_on), "minutes": m.minutes,
        "agenda": agendas.get(m.pk, [])} for m in Meeting.objects.all()), key=lambda record: record["starts_at"])


def decisions(name_of) -> list[dict[str, Any]]:
    """The `task_force_decisions` section, by year and number."""
    keys = _keys()
    links = keys.links(Decision, "decision")
    return [{
        "number": keys.decisions[d.pk], "meeting": keys.meetings.get(d.meeting_id),
        "agenda_item": keys.items.get(d.agenda_item_id), "decided_on": iso_date(d.decided_on), "kind": d.kind,
        "text": d.text, **{name: links.get(d.pk, {}).get(name, []) for name in ("programmes", "recommendations",
                                                                                 "alerts")},
        "organisation": d.organisation.short_name if d.organisation_id else None,
        "deadline": iso_date(d.deadline), "accepted_until": iso_date(d.accepted_until),
        "new_owner": name_of(d.new_owner) if d.new_owner_id else None, "state": d.state,
        "superseded_by": keys.decisions.get(d.superseded_by_id), "public": d.public,
    } for d in Decision.objects.select_related("organisation", "new_owner").order_by("year", "sequence")]


def actions(name_of) -> list[dict[str, Any]]:
    """The `task_force_actions` section, by reference."""
    keys, _export.keys = _keys(), None
    links = keys.links(ActionItem, "actionitem")
    return sorted(({
        "reference": keys.actions[a.pk], "what": a.what, "owner": name_of(a.owner),
        "organisation": a.organisation.short_name if a.organisation_id else None, "due_on": iso_date(a.due_on),
        "decision": keys.decisions.get(a.decision_id), "agenda_item": keys.items.get(a.agenda_item_id),
        **{name: links.get(a.pk, {}).get(name, []) for name in ("programmes", "recommendations", "alerts")},
        "state": a.state, "done_on": iso_date(a.done_on), "evidence": a.evidence,
        "cancelled_reason": a.cancelled_reason,
    } for a in ActionItem.objects.select_related("owner", "organisation")), key=lambda record: record["reference"])


def people() -> list:
    """The accounts the task force's records name: members, action owners and new owners of programmes."""
    ids = (set(Member.objects.values_list("person_id", flat=True))
           | set(ActionItem.objects.values_list("owner_id", flat=True))
           | set(Decision.objects.exclude(new_owner=None).values_list("new_owner_id", flat=True)))
    return list(get_user_model().objects.filter(pk__in=ids))
