"""The task force's rules in the continuity engine (found in every app's `rules` module, as finance's are):
action-overdue, decision-needed, decision-not-implemented, task-force-not-meeting and minutes-not-approved.

They enforce the coordination loop: an action past its day, a critical problem nobody decided on, a decision past
its deadline with work still open, a task force that does not meet while critical alerts are open, minutes left
unapproved. Thresholds are site settings (the "continuity" limits). They look at the whole register in every scan.
"""


from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import counted, say
from programme_tracker.continuity.rules import Finding, Rule, register
from programme_tracker.portfolio.periods import add_months
from programme_tracker.taskforce.figures import problems_open, start_of, undecided
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member


class TaskForceRule(Rule):
    """A rule about the task force's own records: it always looks at all of them."""

    per_programme = False


@register
class ActionOverdue(TaskForceRule):
    """An open action item past its due day."""

    name = "action-overdue"
    title = gettext_lazy("Action overdue")
    subject = "action"
    description = "An open action item whose due day is before the reference date. Critical when more than " \
                  "action_critical_days late."

    def findings(self, ctx):
        text = gettext_noop("%(owner)s was to do this by %(due)s: %(what)s. Do it and mark it done, or agree a new "
                            "day or a cancellation with the task force's secretariat.")
        rows = (ActionItem.objects.filter(state=ActionItem.State.OPEN, due_on__lt=ctx.today).order_by()
                .values_list("pk", "what", "due_on", "owner__username", "owner__first_name", "owner__last_name",
                             "owner_id"))
        critical_before = ctx.days(-ctx.limits.action_critical_days)
        for pk, what, due, username, first_name, last_name, owner_id in rows:
            owner = f"{first_name} {last_name}".strip() or username  # the name people know them by
            yield Finding(
                rule=self.name, subject_key=f"action:{pk}", subject_label=what[:200], key=due.isoformat(),
                key_date=due, severity=Severity.CRITICAL if due < critical_before else Severity.WARNING,
                for_coordinators=True, responsible_id=owner_id, message_data=[say(text, owner=owner, due=due,
                                                                                     what=what)],
            )


@register
class DecisionNeeded(TaskForceRule):
    """A critical alert active for weeks that nobody decided on, acts on, or put on a coming meeting's agenda."""

    name = "decision-needed"
    title = gettext_lazy("Decision needed")
    subject = "alert"
    description = "A critical alert of another rule, open or acknowledged for more than decision_needed_days, with " \
                  "no decision and no open action item linked, and not on the agenda of a planned meeting (unless " \
                  "dropped from it)."

    def findings(self, ctx):
        found = gettext_noop("Active since %(since)s, and the task force has not decided on it:")
        todo = gettext_noop("Put it on the agenda of the next meeting, or record a decision or an action.")
        on_agenda = (AgendaItem.objects.filter(alert_id=OuterRef("pk"), meeting__status=Meeting.Status.PLANNED)
                     .exclude(outcome=AgendaItem.Outcome.DROPPED))
        rows = (undecided(problems_open()).filter(opened_at__lt=start_of(ctx.days(-ctx.limits.decision_needed_days)))
                .exclude(Exists(on_agenda)).order_by()
                .values_list("pk", "subject_label", "message_data", "opened_at", "programme_id", "funding_period_id",
                             "recommendation_id"))
        for pk, label, message, opened_at, programme_id, period_id, recommendation_id in rows:
            since = timezone.localdate(opened_at)
            yield Finding(
                rule=self.name, subject_key=f"alert:{pk}", subject_label=label, key="", key_date=since,
                severity=Severity.WARNING, programme_id=programme_id, funding_period_id=period_id,
                recommendation_id=recommendation_id, for_coordinators=True,
                message_data=[say(found, since=since), *message, say(todo)],  # its own words, in each reader's language
            )


@register
class DecisionNotImplemented(TaskForceRule):
    """A decision in force past its deadline while some of its actions are still open."""

    name = "decision-not-implemented"
    title = gettext_lazy("Decision not implemented")
    subject = "decision"
    description = "A decision in force whose deadline is before the reference date while some of its action items " \
                  "are still open. Critical when more than critical_days past the deadline."

    def findings(self, ctx):
        text = counted("Decision %(number)s was to be carried out by %(deadline)s, and %(open)s of its actions is "
                       "still open. Finish it, or record a decision that replaces the decision.",
                       "Decision %(number)s was to be carried out by %(deadline)s, and %(open)s of its actions are "
                       "still open. Finish them, or record a decision that replaces the decision.")
        rows = (Decision.objects.filter(state=Decision.State.IN_FORCE, deadline__lt=ctx.today)
                .annotate(open=Count("actions", filter=Q(actions__state=ActionItem.State.OPEN))).filter(open__gt=0)
                .order_by().values_list("pk", "year", "sequence", "deadline", "open"))
        critical_before = ctx.days(-ctx.limits.critical_days)
        for pk, year, sequence, deadline, still_open in rows:
            number = Decision(year=year, sequence=sequence).number
            yield Finding(
                rule=self.name, subject_key=f"decision:{pk}", subject_label=number, key=deadline.isoformat(),
                key_date=deadline, severity=Severity.CRITICAL if deadline < critical_before else Severity.WARNING,
                for_coordinators=True,
                message_data=[say(text, count="open", number=number, deadline=deadline, open=still_open)],
            )


@register
class TaskForceNotMeeting(TaskForceRule):
    """Critical alerts are open and the task force, which has members, has held no meeting for months."""

    name = "task-force-not-meeting"
    title = gettext_lazy("Task force not meeting")
    subject = "task_force"
    description = "The task force has members on the reference date and critical alerts of the other rules are " \
                  "open, but it held no meeting on or after the day task_force_meeting_months months before."

    def findings(self, ctx):
        since = add_months(ctx.today, -ctx.limits.task_force_meeting_months)
        if not Member.objects.on(ctx.today).exists() or not problems_open().exists():
            return
        last = Meeting.objects.filter(status=Meeting.Status.HELD).aggregate(last=Max("starts_at"))["last"]
        last_day = timezone.localdate(last) if last else None
        if last_day is not None and last_day >= since:
            return
        text = counted(
            "Critical alerts are open and the task force has not met since %(last)s. Plan a meeting: the "
            "coordination the Rapporteur asked for (POL-2) needs one at least every month.",
            "Critical alerts are open and the task force has not met since %(last)s. Plan a meeting: the "
            "coordination the Rapporteur asked for (POL-2) needs one at least every %(months)s months.",
        ) if last_day else counted(
            "Critical alerts are open and the task force has never met. Plan its first meeting: the coordination "
            "the Rapporteur asked for (POL-2) needs one at least every month.",
            "Critical alerts are open and the task force has never met. Plan its first meeting: the coordination "
            "the Rapporteur asked for (POL-2) needs one at least every %(months)s months.")
        yield Finding(
            rule=self.name, subject_key="task_force", subject_label=str(gettext_lazy("Task force")), key="",
            key_date=last_day, severity=Severity.WARNING, for_coordinators=True,
            message_data=[say(text, count="months", last=last_day, months=ctx.limits.task_force_meeting_months)],
        )


@register
class MinutesNotApproved(TaskForceRule):
    """A held meeting whose minutes are still not approved weeks after it."""

    name = "minutes-not-approved"
    title = gettext_lazy("Minutes not approved")
    subject = "meeting"
    description = "A held meeting whose minutes are not approved more than minutes_approval_days days after it."

    def findings(self, ctx):
        text = gettext_noop("The minutes of the meeting of %(day)s are not approved yet. Approve them at the next "
                            "meeting or in writing, so that its decisions are on record.")
        rows = (Meeting.objects.filter(status=Meeting.Status.HELD, minutes_approved_on__isnull=True,
                                       starts_at__lt=start_of(ctx.days(-ctx.limits.minutes_approval_days)))
                .order_by().values_list("pk", "starts_at"))
        for pk, starts_at in rows:
            day = timezone.localdate(starts_at)
            yield Finding(
                rule=self.name, subject_key=f"meeting:{pk}", subject_label=day.isoformat(), key=day.isoformat(),
                key_date=day, severity=Severity.WARNING, for_coordinators=True, message_data=[say(text, day=day)],
            )
