"""Rules on funding: funding-expiring, funding-gap and renewal-decision-overdue (DESIGN.md rules 1–3)."""

from collections import defaultdict

from django.db.models import F, Q
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.messages import counted, say
from programme_tracker.continuity.rules.base import Context, Finding, Rule, register
from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    FundingPeriod,
    Programme,
    ProgrammeStatus,
    RenewalDecision,
)

ACTIVE_OR_PLANNED = (ProgrammeStatus.ACTIVE, ProgrammeStatus.PLANNED)


def active_or_planned(ctx: Context) -> dict[int, tuple]:
    """Active and planned programmes in scope: id → (code, name, status, planned start, planned end); shared."""
    return ctx.cached("active-or-planned", lambda: {
        pid: rest for pid, *rest in Programme.objects.filter(ctx.in_scope(), status__in=ACTIVE_OR_PLANNED)
        .order_by().values_list("id", "code", "name", "status", "planned_start", "planned_end")
    })


def label(code: str, name: str) -> str:
    """How a programme is named in alerts."""
    return f"{code} — {name}"


@register
class FundingExpiring(Rule):
    """Secured funding ends within the horizon and nothing (renewal, later funding, funded successor) follows it."""

    name = "funding-expiring"
    title = gettext_lazy("Funding expiring")
    description = (
        "An active programme, or one planned to start within the horizon, whose secured funding runs out (or has "
        "run out) within the horizon while the programme is meant to go on, with no later secured funding and no "
        "planned or active successor funded from the next day (plus the grace days)."
    )

    def findings(self, ctx):
        horizon = ctx.days(ctx.limits.expiry_horizon_days)
        runs = ctx.secured_runs()
        successor_funding = self._successor_funding(ctx, horizon)
        grace = ctx.limits.successor_grace_days
        for programme_id, (code, name, status, planned_start, planned_end) in active_or_planned(ctx).items():
            if status == ProgrammeStatus.PLANNED and (planned_start is None or planned_start > horizon):
                continue  # planned to start later than the horizon (or not yet dated)
            own = runs.get(programme_id, [])
            start = max(ctx.today, planned_start) if planned_start else ctx.today
            end = periods.secured_until(own, start)
            if end is None:
                end = periods.last_covered_before(own, start) or start - periods.ONE_DAY
            if end > horizon or (planned_end is not None and planned_end <= end):
                continue
            if periods.starts_after(own, end):
                continue  # secured funding resumes later: that is a funding gap (rule 2)
            handover = end + periods.ONE_DAY
            latest_start = handover + periods.ONE_DAY * grace
            if any(s <= latest_start and e >= handover for s, e in successor_funding.get(programme_id, ())):
                continue
            yield Finding(
                rule=self.name, subject_key=f"programme:{programme_id}", subject_label=label(code, name),
                key=end.isoformat(), key_date=end, severity=ctx.severity(end), programme_id=programme_id,
                message_data=self._message(ctx, end, planned_start),
            )

    @staticmethod
    def _successor_funding(ctx: Context, horizon):
        """Secured periods of planned and active successors, per predecessor, that could take over in time."""
        rows = FundingPeriod.objects.filter(
            ctx.in_scope("programme__predecessor__"),
            status__in=SECURED_FUNDING_STATUSES,
            programme__status__in=ACTIVE_OR_PLANNED,
            programme__predecessor__isnull=False,
            start__lte=horizon + periods.ONE_DAY * (ctx.limits.successor_grace_days + 1),
        ).order_by().values_list("programme__predecessor_id", "start", "end")
        by_predecessor = defaultdict(list)
        for predecessor_id, start, end in rows:
            by_predecessor[predecessor_id].append((start, end))
        return by_predecessor

    @staticmethod
    def _message(ctx, end, planned_start) -> list[dict]:
        if planned_start and planned_start > ctx.today and end < planned_start:
            what = say(gettext_noop("No secured funding from the planned start on %(start)s."), start=planned_start)
        elif end < ctx.today:
            what = say(gettext_noop("Secured funding lapsed on %(end)s."), end=end)
        else:
            what = say(gettext_noop("Secured funding ends on %(end)s."), end=end)
        return [what, say(gettext_noop("No renewal, later funding or funded successor is recorded. Record the "
                                       "renewal decision and the new funding period, or name a successor."))]


@register
class FundingGap(Rule):
    """An unsecured stretch between two secured periods, ending on or after today and starting within the horizon."""

    name = "funding-gap"
    title = gettext_lazy("Funding gap")
    description = (
        "An active or planned programme with at least one unsecured day between two of its secured periods, where "
        "the stretch ends on or after the reference date and starts within the gap horizon. One alert per stretch."
    )

    def findings(self, ctx):
        horizon = ctx.days(ctx.limits.gap_horizon_days)
        runs = ctx.secured_runs()
        for programme_id, (code, name, *_rest) in active_or_planned(ctx).items():
            for first, last in periods.gaps(runs.get(programme_id, [])):
                if last < ctx.today or first > horizon:
                    continue
                yield Finding(
                    rule=self.name, subject_key=f"programme:{programme_id}", subject_label=label(code, name),
                    key=first.isoformat(), key_date=first, until_date=last, severity=ctx.severity(first),
                    programme_id=programme_id,
                    message_data=[say(counted(
                        "No secured funding from %(first)s up to and including %(last)s (%(days)s day) between two "
                        "funding periods. Secure funding for the gap or move the next period's start.",
                        "No secured funding from %(first)s up to and including %(last)s (%(days)s days) between two "
                        "funding periods. Secure funding for the gap or move the next period's start.",
                    ), count="days", first=first, last=last, days=(last - first).days + 1)],
                )


def renewals_due_before(day, notice_days: int):
    """Funding periods whose renewal decision is still pending with its notice date (end − notice) before `day`,
    of planned, active or suspended programmes meant to run past that end. The rule below asks it of today; the task
    force's agenda of the day of the meeting after next."""
    return FundingPeriod.objects.filter(
        renewal_decision=RenewalDecision.PENDING,
        end__lt=day + periods.ONE_DAY * notice_days,
        programme__status__in=(*ACTIVE_OR_PLANNED, ProgrammeStatus.SUSPENDED),
    ).filter(Q(programme__planned_end__isnull=True) | Q(programme__planned_end__gt=F("end")))


@register
class RenewalDecisionOverdue(Rule):
    """A funding period's renewal decision is still pending after its notice date, and the programme goes on."""

    name = "renewal-decision-overdue"
    title = gettext_lazy("Renewal decision overdue")
    subject = "funding_period"
    description = (
        "A funding period whose renewal decision is still pending after its notice date (end minus the notice "
        "period), for a planned, active or suspended programme meant to run past that end."
    )

    def findings(self, ctx):
        notice = ctx.limits.renewal_notice_days
        overdue = renewals_due_before(ctx.today, notice).filter(ctx.in_scope("programme__"))
        rows = overdue.order_by().values_list("id", "code", "programme_id", "end")
        text = gettext_noop(
            "The renewal decision on %(code)s, which ends on %(end)s, was due by %(due)s and is still "
            "pending. Record the funder's decision (renewed, not renewed or not applicable)."
        )
        for period_id, code, programme_id, end in rows:
            due = end - periods.ONE_DAY * notice
            yield Finding(
                rule=self.name, subject_key=f"funding_period:{period_id}", subject_label=code,
                key=due.isoformat(), key_date=due, severity=ctx.severity(end), programme_id=programme_id,
                funding_period_id=period_id,
                message_data=[say(text, code=code, end=end, due=due)],
            )
