"""The agenda that proposes itself: what the task force must look at in its next meeting.

For a planned meeting the register proposes, each kind with one query:
- every overdue action item (open, due before the meeting);
- every active critical alert, and every warning open for more than `agenda_warning_age_days`, that has no decision,
  no open action item and was not dismissed (dismissed alerts are not active);
- every renewal decision still pending whose notice date (end minus `renewal_notice_days`) falls before the meeting
  after this one (the next planned one, or `task_force_meeting_months` later when none is planned);
- every recommendation the rules find uncovered or at risk.

Proposals are added at the end of the agenda, before a closing item the secretary put last (any other business),
marked as proposed, with a title in the language of whoever asked for them. Proposing again adds only what is new:
an item the register proposed before stays as the secretary left it (moved, decided, deferred or dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from programme_tracker.continuity.choices import ACTIVE_STATES, Severity
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.periods import add_months
from programme_tracker.continuity.rules.base import Limits
from programme_tracker.continuity.rules.funding import renewals_due_before
from programme_tracker.taskforce.figures import TASK_FORCE_RULES, undecided
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Meeting

# The rules whose alerts are about a recommendation: proposed as the recommendation, whatever their severity.
RECOMMENDATION_RULES = ("recommendation-uncovered", "recommendation-at-risk")


def labelled(subject: str, message: str) -> str:
    """An alert's message, led by its subject unless the message names it already."""
    return message if subject in message else f"{subject}: {message}"


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


def overdue_actions(day: date) -> list[Proposal]:
    """Open action items due before the meeting."""
    rows = (ActionItem.objects.filter(state=ActionItem.State.OPEN, due_on__lt=day)
            .order_by("due_on", "pk").values_list("pk", "what", "due_on", "owner__username"))
    return [Proposal(f"action:{pk}", _("Overdue action (due %(due)s, %(owner)s): %(what)s")
                     % {"due": date_format(due), "owner": owner, "what": what}, {"action_id": pk})
            for pk, what, due, owner in rows]


def undecided_alerts(limits: Limits) -> list[Proposal]:
    """Active critical alerts, and warnings open longer than the site allows, with no decision and no open action."""
    old_enough = timezone.now() - timedelta(days=limits.agenda_warning_age_days)
    rows = (undecided(Alert.objects.filter(state__in=ACTIVE_STATES))
            .filter(Q(severity=Severity.CRITICAL) | Q(severity=Severity.WARNING, opened_at__lte=old_enough))
            # Recommendations are proposed as themselves; the task force's own alerts are about its work (an
            # overdue action is proposed as the action).
            .exclude(rule__in=(*RECOMMENDATION_RULES, *TASK_FORCE_RULES))
            .order_by("severity", "opened_at", "pk").values_list("pk", "severity", "subject_label", "message"))
    # Critical before warning: the choices' values sort that way ("critical" < "warning").
    return [Proposal(f"alert:{pk}", labelled(subject, message), {"alert_id": pk}) for pk, _s, subject, message in rows]


def renewals_due(by: date, limits: Limits) -> list[Proposal]:
    """Pending renewal decisions whose notice date falls before `by`, for programmes that go on."""
    notice = timedelta(days=limits.renewal_notice_days)
    rows = (renewals_due_before(by, limits.renewal_notice_days)
            .order_by("end", "pk").values_list("pk", "code", "end", "programme_id"))
    return [Proposal(f"renewal:{pk}", _("Renewal decision on %(code)s, due by %(due)s")
                     % {"code": code, "due": date_format(end - notice)}, {"programme_id": programme_id})
            for pk, code, end, programme_id in rows]


def recommendations_at_risk() -> list[Proposal]:
    """Recommendations the rules find uncovered or at risk (one item per recommendation)."""
    rows = (Alert.objects.filter(rule__in=RECOMMENDATION_RULES, state__in=ACTIVE_STATES)
            .order_by("recommendation__code", "rule").values_list("recommendation_id", "subject_label", "message"))
    seen, found = set(), []
    for recommendation_id, subject, message in rows:
        if recommendation_id not in seen:
            seen.add(recommendation_id)
            found.append(Proposal(f"recommendation:{recommendation_id}", labelled(subject, message),
                                  {"recommendation_id": recommendation_id}))
    return found


def propose(meeting_id: int, *, actor, limits: Limits | None = None) -> int:
    """Add what the register proposes to a planned meeting's agenda; returns how many items were added."""
    limits = limits or Limits.from_settings()
    with transaction.atomic():
        # One proposal at a time per meeting: two secretaries pressing the button add each item once.
        meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.status != Meeting.Status.PLANNED:
            return 0
        day = timezone.localdate(meeting.starts_at)
        proposals = [*overdue_actions(day), *undecided_alerts(limits), *renewals_due(horizon(meeting, limits), limits),
                     *recommendations_at_risk()]
        known = set(meeting.agenda_items.exclude(proposal="").values_list("proposal", flat=True))
        last = meeting.agenda_items.order_by("-position", "-pk").first()
        # Before a closing item the secretary put at the end ("Any other business"); otherwise at the end.
        closing = last if last is not None and last.origin == AgendaItem.Origin.ADDED and not last.outcome else None
        position = (meeting.agenda_items.exclude(pk=closing.pk) if closing else meeting.agenda_items).aggregate(
            last=Max("position"))["last"] or 0
        new = []
        for proposal in proposals:
            if proposal.key in known:
                continue
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
        return len(new)
