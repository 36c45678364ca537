"""The agenda that proposes itself: what the task force must look at in its next meeting.

For a planned meeting the register proposes, each kind with two queries (its first rows and its count):
- every overdue action item (open, due before the meeting);
- every active critical alert, and every warning open for more than `agenda_warning_age_days`, that has no decision,
  no open action item and was not dismissed (dismissed alerts are not active);
- every renewal decision still pending whose notice date (end minus `renewal_notice_days`) falls before the meeting
  after this one (the next planned one, or `task_force_meeting_months` later when none is planned);
- every recommendation the rules find uncovered or at risk;
- every item an earlier meeting deferred and no meeting has taken up since, unless its subject is on the agenda
  already.

At most `agenda_proposals_per_kind` items of each kind are on the agenda, the most urgent first (the longest
overdue, critical before warning and the oldest, the soonest notice date); the others are counted, so that the
secretary knows, and the decision-needed rule flags the critical ones left waiting. Proposals are added at the end
of the agenda, before a closing item the secretary put last (any other business), marked as proposed. Their stored
title is in the language of whoever asked for them; `titles` words them again in
the reader's language, from the subject as it is now (meeting mode and the documents show those). Proposing again
adds only what is new: an item the register proposed before stays as the secretary left it (moved, decided,
deferred or dropped).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from programme_tracker.continuity.choices import ACTIVE_STATES, Severity
from programme_tracker.continuity.messages import render
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.rules.base import Limits
from programme_tracker.continuity.rules.funding import renewals_due_before
from programme_tracker.portfolio.models import FundingPeriod
from programme_tracker.portfolio.periods import add_months
from programme_tracker.taskforce.figures import TASK_FORCE_RULES, undecided
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Meeting

# The rules whose alerts are about a recommendation: proposed as the recommendation, whatever their severity.
RECOMMENDATION_RULES = ("recommendation-uncovered", "recommendation-at-risk")


def labelled(subject: str, message: str) -> str:
    """An alert's message, led by its subject unless the message names it already."""
    return message if subject in message else f"{subject}: {message}"


@dataclass(frozen=True)
class Found:
    """The first proposals of one kind, the most urgent first, and how many there are in all."""

    proposals: list
    total: int


@dataclass(frozen=True)
class Proposed:
    """What a proposal did: the items it added, and those that qualify but were left out (the per-kind limit)."""

    added: int
    left_out: int = 0


@dataclass(frozen=True)
class Proposal:
    """One item the register proposes: its key, title and subject."""

    key: str
    title: str
    subject: dict


def horizon(meeting: Meeting, limits: Limits) -> date:
    """The day of the meeting after this one: the next planned meeting, or the usual interval later."""
    day = timezone.localdate(meeting.starts_at)
    later = (Meeting.objects.filter(status=Meeting.Status.PLANNED, starts_at__gt=meeting.starts_at)
             .order_by("starts_at").values_list("starts_at", flat=True).first())
    return timezone.localdate(later) if later else add_months(day, limits.task_force_meeting_months)


def overdue_actions(day: date, limit: int) -> Found:
    """Open action items due before the meeting, the longest overdue first."""
    rows = (ActionItem.objects.filter(state=ActionItem.State.OPEN, due_on__lt=day)
            .order_by("due_on", "pk").values_list("pk", "what", "due_on", "owner__username"))
    return Found([Proposal(f"action:{pk}", action_title(what, due, owner), {"action_id": pk})
                  for pk, what, due, owner in rows[:limit]], rows.count())


def action_title(what: str, due: date, owner: str) -> str:
    """An overdue action's item, in the active language."""
    return _("Overdue action (due %(due)s, %(owner)s): %(what)s") % {"due": date_format(due), "owner": owner,
                                                                       "what": what}


def renewal_title(code: str, due: date) -> str:
    """A renewal decision's item, in the active language."""
    return _("Renewal decision on %(code)s, due by %(due)s") % {"code": code, "due": date_format(due)}


def undecided_alerts(limits: Limits, limit: int) -> Found:
    """Active critical alerts, and warnings open longer than the site allows, with no decision and no open action;
    critical first, the oldest first."""
    old_enough = timezone.now() - timedelta(days=limits.agenda_warning_age_days)
    rows = (undecided(Alert.objects.filter(state__in=ACTIVE_STATES))
            .filter(Q(severity=Severity.CRITICAL) | Q(severity=Severity.WARNING, opened_at__lte=old_enough))
            # Recommendations are proposed as themselves; the task force's own alerts are about its work (an
            # overdue action is proposed as the action).
            .exclude(rule__in=(*RECOMMENDATION_RULES, *TASK_FORCE_RULES))
            .order_by("severity", "opened_at", "pk").values_list("pk", "severity", "subject_label", "message"))
    # Critical before warning: the choices' values sort that way ("critical" < "warning").
    return Found([Proposal(f"alert:{pk}", labelled(subject, message), {"alert_id": pk})
                  for pk, _s, subject, message in rows[:limit]], rows.count())


def renewals_due(by: date, limits: Limits, limit: int) -> Found:
    """Pending renewal decisions whose notice date falls before `by`, for programmes that go on; the soonest
    first."""
    notice = timedelta(days=limits.renewal_notice_days)
    rows = (renewals_due_before(by, limits.renewal_notice_days)
            .order_by("end", "pk").values_list("pk", "code", "end", "programme_id"))
    return Found([Proposal(f"renewal:{pk}", renewal_title(code, end - notice), {"programme_id": programme_id})
                  for pk, code, end, programme_id in rows[:limit]], rows.count())


def recommendations_at_risk(limit: int) -> Found:
    """Recommendations the rules find uncovered or at risk (one item per recommendation; there are a few dozen)."""
    rows = (Alert.objects.filter(rule__in=RECOMMENDATION_RULES, state__in=ACTIVE_STATES)
            .order_by("recommendation__code", "rule").values_list("recommendation_id", "subject_label", "message"))
    seen, found = set(), []
    for recommendation_id, subject, message in rows:
        if recommendation_id not in seen:
            seen.add(recommendation_id)
            found.append(Proposal(f"recommendation:{recommendation_id}", labelled(subject, message),
                                  {"recommendation_id": recommendation_id}))
    return Found(found[:limit], len(found))


def titles(items: list[AgendaItem], limits: Limits | None = None) -> dict[int, str]:
    """The proposed items' titles in the active language, from their subjects as they are now (two queries; the
    items come with their alert and action and its owner). An item whose subject is gone keeps its stored title."""
    limits = limits or Limits.from_settings()
    kinds = {item.pk: item.proposal.partition(":") for item in items if item.origin == AgendaItem.Origin.PROPOSED}
    renewals = {str(pk): renewal_title(code, end - timedelta(days=limits.renewal_notice_days))
                for pk, code, end in FundingPeriod.objects.filter(
                    pk__in=[key for kind, _sep, key in kinds.values() if kind == "renewal" and key.isdigit()])
                .values_list("pk", "code", "end")}
    recommendations = {}
    for recommendation_id, subject, parts, message in (
            Alert.objects.filter(rule__in=RECOMMENDATION_RULES, recommendation_id__in=[
                item.recommendation_id for item in items if item.recommendation_id])
            .order_by("recommendation__code", "rule", "-pk")
            .values_list("recommendation_id", "subject_label", "message_data", "message")):
        recommendations.setdefault(recommendation_id, labelled(subject, render(parts, localize=True) if parts
                                                               else message))
    found = {}
    for item in items:
        kind, _sep, key = kinds.get(item.pk, ("", "", ""))
        if kind == "alert" and item.alert_id:
            found[item.pk] = labelled(item.alert.subject_label, item.alert.localized_message)
        elif kind == "action" and item.action_id:
            action = item.action
            found[item.pk] = action_title(action.what, action.due_on, action.owner.get_username())
        elif kind == "renewal" and key in renewals:
            found[item.pk] = renewals[key]
        elif kind == "recommendation" and item.recommendation_id in recommendations:
            found[item.pk] = recommendations[item.recommendation_id]
        else:
            found[item.pk] = item.title
    return {pk: " ".join(title.split()) for pk, title in found.items()}


def deferred_items(before) -> list[Proposal]:
    """Items earlier meetings deferred to the next one, not yet carried to a later agenda (a few at most)."""
    carried = {key.removeprefix("deferred:") for key in AgendaItem.objects.filter(proposal__startswith="deferred:")
               .values_list("proposal", flat=True)}
    rows = (AgendaItem.objects.filter(outcome=AgendaItem.Outcome.DEFERRED, meeting__starts_at__lt=before)
            .order_by("meeting__starts_at", "position", "pk")
            .values_list("pk", "title", *(f"{name}_id" for name in AgendaItem.SUBJECTS)))
    return [Proposal(f"deferred:{pk}", title, {f"{name}_id": value for name, value in zip(AgendaItem.SUBJECTS, ids,
                                                                                          strict=True) if value})
            for pk, title, *ids in rows if str(pk) not in carried]


def subject_key(subject: dict) -> tuple:
    """What an item is about, comparable between proposals and items already on the agenda (empty: free text)."""
    return tuple(sorted(subject.items()))


def propose(meeting_id: int, *, actor, limits: Limits | None = None) -> Proposed:
    """Add what the register proposes to a planned meeting's agenda, at most `agenda_proposals_per_kind` items of
    each kind (the most urgent); returns how many were added and how many qualify but were left out."""
    limits = limits or Limits.from_settings()
    per_kind = limits.agenda_proposals_per_kind
    with transaction.atomic():
        # One proposal at a time per meeting: two secretaries pressing the button add each item once.
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.status != Meeting.Status.PLANNED:
            return Proposed(0)
        day = timezone.localdate(meeting.starts_at)
        known = set(meeting.agenda_items.exclude(proposal="").values_list("proposal", flat=True))
        on = Counter(key.partition(":")[0] for key in known)
        # Each kind reads enough rows to find its new ones past those on the agenda already (a few dozen at most).
        readers = {"action": lambda n: overdue_actions(day, n), "alert": lambda n: undecided_alerts(limits, n),
                   "renewal": lambda n: renewals_due(horizon(meeting, limits), limits, n),
                   "recommendation": recommendations_at_risk}
        proposals, left_out = [], 0
        for kind, read in readers.items():
            found = read(on[kind] + per_kind)
            new = [proposal for proposal in found.proposals if proposal.key not in known][:max(0, per_kind - on[kind])]
            proposals += new
            left_out += max(0, found.total - on[kind] - len(new))
        # A deferred item comes back first, unless its subject is on this agenda or proposed for it already.
        fields = [f"{name}_id" for name in AgendaItem.SUBJECTS]
        on_agenda = {subject_key({k: v for k, v in zip(fields, ids, strict=True) if v})
                     for ids in meeting.agenda_items.values_list(*fields)}
        on_agenda |= {subject_key(proposal.subject) for proposal in proposals}
        proposals = [proposal for proposal in deferred_items(meeting.starts_at) if proposal.key not in known and (
            not proposal.subject or subject_key(proposal.subject) not in on_agenda)] + proposals
        last = meeting.agenda_items.order_by("-position", "-pk").first()
        # Before a closing item the secretary put at the end ("Any other business"); otherwise at the end.
        closing = last if last is not None and last.origin == AgendaItem.Origin.ADDED and not last.outcome else None
        position = (meeting.agenda_items.exclude(pk=closing.pk) if closing else meeting.agenda_items).aggregate(
            last=Max("position"))["last"] or 0
        # Never past the most items a meeting has (the per-kind limit keeps proposals well below it).
        room = AgendaItem.MAX_PER_MEETING - meeting.agenda_items.count()
        left_out += max(0, len(proposals) - room)
        new = []
        for proposal in proposals[:max(0, room)]:
            position += 1
            title = " ".join(proposal.title.split())[:300]  # one line: an alert's message may hold line breaks
            item = AgendaItem(meeting=meeting, position=position, title=title, proposal=proposal.key,
                              origin=AgendaItem.Origin.PROPOSED, **proposal.subject)
            # The text fields' own checks; the keys were just read from the database and each item has one subject,
            # so neither is checked again (a query per item and key).
            item.clean_fields(exclude=["meeting", *AgendaItem.SUBJECTS])
            new.append(item)
        bulk_create_with_history(new, AgendaItem, default_user=actor)
        if closing is not None and new and closing.position <= position:
            closing.position = position + 1
            closing._history_user = actor
            closing.save(update_fields=["position"])
        return Proposed(len(new), left_out)
