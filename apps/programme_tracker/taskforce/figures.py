"""The task force's work in figures and lists: what the task-force page and the dashboard show.

Also the one definition of an undecided alert (no decision, no open action item), which the agenda and the
decision-needed rule share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from programme_tracker.continuity.choices import ACTIVE_STATES, Severity
from programme_tracker.continuity.models import Alert
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting

TASK_FORCE_RULES = ("action-overdue", "decision-needed", "decision-not-implemented", "task-force-not-meeting",
                    "minutes-not-approved")


def start_of(day: date) -> datetime:
    """Midnight at the start of the day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def undecided(alerts: QuerySet) -> QuerySet:
    """The alerts with no decision and no open action item linked."""
    decided = Decision.alerts.through.objects.filter(alert_id=OuterRef("pk"))
    acted = ActionItem.alerts.through.objects.filter(alert_id=OuterRef("pk"), actionitem__state=ActionItem.State.OPEN)
    return alerts.exclude(Exists(decided)).exclude(Exists(acted))


def problems_open() -> QuerySet:
    """Active critical alerts of the other rules (the task force's own are about its work, not the portfolio)."""
    return Alert.objects.filter(state__in=ACTIVE_STATES, severity=Severity.CRITICAL).exclude(rule__in=TASK_FORCE_RULES)


@dataclass(frozen=True)
class Figures:
    """The dashboard's three task-force figures."""

    undecided_critical: int  # critical problems without a decision or an open action
    overdue_actions: int
    median_days_to_decision: float | None  # from an alert's opening to the decision on it, over the last year


def figures(today: date) -> Figures:
    """The three figures on `today` (three queries)."""
    pairs = (Decision.alerts.through.objects.filter(decision__decided_on__gt=today - timedelta(days=365))
             .values_list("decision__decided_on", "alert__opened_at"))
    days = [max((decided - timezone.localdate(opened)).days, 0) for decided, opened in pairs]
    return Figures(
        undecided_critical=undecided(problems_open()).count(),
        overdue_actions=ActionItem.objects.filter(state=ActionItem.State.OPEN, due_on__lt=today).count(),
        median_days_to_decision=median(days) if days else None,
    )


def next_meeting(now=None) -> Meeting | None:
    """The next planned meeting from the start of today on, or today's meeting while it runs (the first outcome
    recorded marks it held: the task-force page keeps it until the day is over)."""
    today = timezone.localdate(now)
    return (Meeting.objects.filter(starts_at__gte=start_of(today))
            .filter(Q(status=Meeting.Status.PLANNED)
                    | Q(status=Meeting.Status.HELD, starts_at__lt=start_of(today + timedelta(days=1))))
            .order_by("starts_at").first())


def open_actions_by_owner(today: date) -> list[tuple[str, list[ActionItem]]]:
    """Open action items grouped by owner, owners with late ones first, each owner's by due day."""
    actions = list(ActionItem.objects.filter(state=ActionItem.State.OPEN).select_related("owner", "decision")
                   .order_by("due_on", "pk"))
    groups: dict[str, list[ActionItem]] = {}
    for action in actions:
        action.late = action.due_on < today
        groups.setdefault(action.owner.get_full_name() or action.owner.get_username(), []).append(action)
    return sorted(groups.items(), key=lambda group: (not any(a.late for a in group[1]), group[1][0].due_on))
