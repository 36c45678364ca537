"""Finance rules in the continuity engine (found by the engine in every app's `rules` module): tranche-overdue,
tranche-blocked, report-overdue, overspend and underspend. Thresholds are site settings."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext_lazy, gettext_noop

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import money, say
from programme_tracker.continuity.rules import Finding, Rule, register
from programme_tracker.finance.models import Payment, ReportDue, Tranche
from programme_tracker.finance.sums import find_spending, total
from programme_tracker.portfolio.models import ProgrammeStatus

# Money rules look at programmes that still run or are about to.
RUNNING = (ProgrammeStatus.PLANNED, ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED)


def late_severity(ctx, day):
    """Warning when late, critical when more than critical_days late."""
    return Severity.CRITICAL if day < ctx.days(-ctx.limits.critical_days) else Severity.WARNING


# What both tranche rules read of a tranche, and how they name it.
TRANCHE_FIELDS = ("pk", "planned_on", "amount", "currency", "paid", "funding_period_id", "funding_period__code",
                  "funding_period__programme_id", "requires_report_id", "requires_report__title",
                  "requires_report__received_on", "requires_report__approved_on")


def unpaid_tranches(ctx) -> list[dict]:
    """Tranches of running programmes in scope, not yet fully paid, that either rule may flag (late, or due soon);
    with what has been paid on them and their required report. One query, once per scan, for both rules."""
    def load():
        late = Q(planned_on__lt=ctx.days(-ctx.limits.tranche_grace_days))
        due_soon = Q(planned_on__lte=ctx.days(ctx.limits.critical_days))
        tranches = (
            Tranche.objects.filter(ctx.in_scope("funding_period__programme__"),
                                   funding_period__programme__status__in=RUNNING)
            .filter(late | due_soon).annotate(paid=total(Payment, through="tranche")).filter(paid__lt=F("amount"))
        )
        return list(tranches.order_by().values(*TRANCHE_FIELDS))

    return ctx.cached("unpaid-tranches", load)


def tranche_finding(rule: Rule, tranche: dict, severity: str, message: dict) -> Finding:
    """The finding about one tranche (a row with TRANCHE_FIELDS): its identity is the tranche and its date."""
    return Finding(
        rule=rule.name, subject_key=f"tranche:{tranche['pk']}", key=tranche["planned_on"].isoformat(),
        subject_label=f"{tranche['funding_period__code']} {tranche['planned_on']}", key_date=tranche["planned_on"],
        severity=severity, programme_id=tranche["funding_period__programme_id"],
        funding_period_id=tranche["funding_period_id"], message_data=[message],
    )


@register
class TrancheOverdue(Rule):
    """A planned payment whose date has passed (plus the grace days) and that is not (fully) paid."""

    name = "tranche-overdue"
    title = gettext_lazy("Tranche overdue")
    subject = "tranche"
    description = "A tranche whose planned payment date plus tranche_grace_days is before the reference date, not " \
                  "fully paid. Critical when more than critical_days late."

    def findings(self, ctx):
        text = gettext_noop("The tranche of %(amount)s planned for %(day)s is not paid (paid so far: %(paid)s). Pay "
                            "it, or record the payment, or move the planned date with the funder's agreement.")
        for tranche in unpaid_tranches(ctx):
            if tranche["planned_on"] >= ctx.days(-ctx.limits.tranche_grace_days):
                continue
            yield tranche_finding(self, tranche, late_severity(ctx, tranche["planned_on"]), say(
                text, amount=money(tranche["amount"], tranche["currency"]), day=tranche["planned_on"],
                paid=money(tranche["paid"], tranche["currency"])))


@register
class TrancheBlocked(Rule):
    """A tranche due within the warning period (or already due) that waits for a report not yet approved."""

    name = "tranche-blocked"
    title = gettext_lazy("Tranche blocked by a report")
    subject = "tranche"
    description = "A tranche not fully paid, planned within critical_days from the reference date or earlier, whose " \
                  "required report is not approved. Critical once the planned date has passed."

    def findings(self, ctx):
        text = gettext_noop("The tranche planned for %(day)s waits for the approval of %(report)s (%(state)s). Get "
                            "the report in and approved, or agree on another condition.")
        received, missing = say(gettext_noop("received, not approved")), say(gettext_noop("not received"))
        for tranche in unpaid_tranches(ctx):
            # Only a tranche that waits for a report can be blocked by one.
            waiting = tranche["requires_report_id"] is not None and tranche["requires_report__approved_on"] is None
            if not waiting or tranche["planned_on"] > ctx.days(ctx.limits.critical_days):
                continue
            severity = Severity.CRITICAL if tranche["planned_on"] < ctx.today else Severity.WARNING
            yield tranche_finding(self, tranche, severity, say(
                text, day=tranche["planned_on"], report=tranche["requires_report__title"],
                state=received if tranche["requires_report__received_on"] else missing))


@register
class ReportOverdue(Rule):
    """A progress or financial report whose due date (plus the grace days) has passed and that was not received."""

    name = "report-overdue"
    title = gettext_lazy("Report overdue")
    subject = "report"
    description = "A report due before the reference date minus report_grace_days, not received, for a running " \
                  "programme. Critical when more than critical_days late."

    def findings(self, ctx):
        text = gettext_noop("%(report)s was due on %(day)s and has not been received. Ask the implementing "
                            "organisation for it; tranches that wait for it cannot be paid.")
        late = ReportDue.objects.filter(
            ctx.in_scope("funding_period__programme__"), funding_period__programme__status__in=RUNNING,
            received_on__isnull=True, due_on__lt=ctx.days(-ctx.limits.report_grace_days),
        ).order_by()
        for report in late.values("pk", "title", "due_on", "funding_period_id", "funding_period__code",
                                  "funding_period__programme_id"):
            yield Finding(
                rule=self.name, subject_key=f"report:{report['pk']}", key=report["due_on"].isoformat(),
                subject_label=f"{report['funding_period__code']}: {report['title']}", key_date=report["due_on"],
                severity=late_severity(ctx, report["due_on"]), programme_id=report["funding_period__programme_id"],
                funding_period_id=report["funding_period_id"],
                message_data=[say(text, report=report["title"], day=report["due_on"])],
            )


def spending(ctx) -> list[dict]:
    """Secured funding periods of running programmes in scope that may be overspent or underspent, with what was
    committed, spent and reported until; found once per scan for both rules (sums.find_spending)."""
    limits = ctx.limits
    return ctx.cached("spending", lambda: find_spending(
        ctx.in_scope("funding_period__programme__"), RUNNING,
        near_share=Decimal(limits.overspend_warning_percent) / 100, low_share=Decimal(limits.underspend_percent) / 100,
        ending=(ctx.today, ctx.days(limits.underspend_days_before_end)),
    ))


@register
class Overspend(Rule):
    """Reported spending above what was committed, with a warning from a share of it (90%)."""

    name = "overspend"
    title = gettext_lazy("Overspend")
    subject = "funding_period"
    key_labels = {"over": gettext_lazy("above the commitment"), "near": gettext_lazy("near the commitment")}
    description = "A secured funding period of a running programme whose reported expenditure is above the " \
                  "committed amount (critical, key 'over'), or at least overspend_warning_percent of it (warning, " \
                  "key 'near')."

    def findings(self, ctx):
        share = Decimal(ctx.limits.overspend_warning_percent) / 100
        over = gettext_noop("%(spent)s spent of the %(committed)s committed on %(code)s: more than the commitment. "
                            "Stop further spending or agree on extra funding.")
        near = gettext_noop("%(spent)s spent of the %(committed)s committed on %(code)s (%(percent)s%%). Check the "
                            "spending plan for the rest of the period.")
        for period in spending(ctx):
            committed, spent = period["committed"], period["spent"]
            if spent <= 0:
                continue
            if spent > committed:
                key, severity, text = "over", Severity.CRITICAL, over
            elif committed and spent >= committed * share:
                key, severity, text = "near", Severity.WARNING, near
            else:
                continue
            yield Finding(
                rule=self.name, subject_key=f"funding_period:{period['pk']}", key=key, subject_label=period["code"],
                severity=severity, programme_id=period["programme_id"], funding_period_id=period["pk"],
                message_data=[say(text, spent=money(spent, period["currency"]),
                                  committed=money(committed, period["currency"]), code=period["code"],
                                  percent=int(spent * 100 / committed) if committed else 0)],
            )


@register
class Underspend(Rule):
    """Little of the money spent when the end of the funding period is near."""

    name = "underspend"
    title = gettext_lazy("Underspend")
    subject = "funding_period"
    description = "A secured funding period of a running programme that has expenditure reported, from " \
                  "underspend_days_before_end days before its end until its end, with less than underspend_percent " \
                  "of the committed amount spent. The key date is the day the check starts. (Without any reported " \
                  "expenditure nothing can be said about spending; a missing report is report-overdue.)"

    def findings(self, ctx):
        days, share = ctx.limits.underspend_days_before_end, Decimal(ctx.limits.underspend_percent) / 100
        text = gettext_noop("Only %(spent)s of the %(committed)s committed on %(code)s is reported spent, with the "
                            "period ending on %(end)s. Ask the implementing organisation about the plan for "
                            "the rest, or release the money.")
        for period in spending(ctx):
            if not ctx.today <= period["end"] <= ctx.days(days) or period["committed"] <= 0:
                continue
            if period["spent"] >= period["committed"] * share:
                continue
            checkpoint = period["end"] - timedelta(days=days)
            yield Finding(
                rule=self.name, subject_key=f"funding_period:{period['pk']}", key=checkpoint.isoformat(),
                subject_label=period["code"], key_date=checkpoint, severity=Severity.WARNING,
                programme_id=period["programme_id"], funding_period_id=period["pk"],
                message_data=[say(text, spent=money(period["spent"], period["currency"]),
                                  committed=money(period["committed"], period["currency"]), code=period["code"],
                                  end=period["end"])],
            )


