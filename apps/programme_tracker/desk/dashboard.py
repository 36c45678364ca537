"""The portfolio dashboard's figures: programmes by area and status, money by ministry and year, the funding cliff,
open alerts by severity, and how many accepted recommendations are covered.

A fixed number of grouped queries whatever the portfolio's size; secured-until and coverage come from the
portfolio's snapshot (snapshot.py), worked out once per change of the portfolio, and so do the figures that read
every programme (by area and status, the funding cliff). Only the alerts are read on every view.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme_tracker.continuity.choices import ACTIVE_STATES, SEVERITY_ORDER, AlertState, Severity
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.rules.coverage import ACCEPTED
from programme_tracker.desk import ending as funding_ending
from programme_tracker.desk.charts import COVERAGE_COLOURS, PALETTE, SEVERITY_COLOURS, Chart, Series
from programme_tracker.desk.coverage import COVERAGE_LABELS, KINDS, state
from programme_tracker.desk.ending import next_quarters, quarter_key, quarter_label
from programme_tracker.desk.snapshot import Snapshot, cached, snapshot, stamp
from programme_tracker.portfolio.models import Area, GovernmentResponse, Programme, ProgrammeStatus, Recommendation
from programme_tracker.taskforce.figures import figures as task_force_figures

YEARS_BEFORE, YEARS_AFTER = 1, 4  # the money chart's window around this year


@dataclass
class Headline:
    """One figure at the top of the dashboard, with where it leads."""

    label: str
    value: int
    link: str = ""
    alarm: bool = False
    of: int | None = None  # "value / of" for shares


def _changelist(model: str, **filters) -> str:
    """A link to a filtered admin list (the admin checks the permissions again)."""
    return reverse(f"admin:{model}_changelist") + ("?" + urlencode(filters) if filters else "")


def area_status_counts() -> Counter:
    """How many programmes there are per (area, status): one grouped query."""
    return Counter({(area, status): n for area, status, n in Programme.objects.order_by().values_list(
        "area", "status").annotate(n=Count("id"))})


def programmes_by_area(counts: Counter) -> Chart:
    """Programmes per area, stacked by status; a click opens the filtered programme list."""
    statuses = list(ProgrammeStatus)
    return Chart("programmes-by-area", _("Programmes by area and status"), "horizontal",
                 [label for _value, label in Area.choices],
                 [Series(status.label, [counts[(area, status.value)] for area in Area.values], PALETTE[i],
                         [_changelist("portfolio_programme", area=area, status=status.value) for area in Area.values])
                  for i, status in enumerate(statuses)])


def budget_by_ministry(years: list[int]) -> dict[str, dict[int, Decimal]]:
    """Budget in euros (the revision where there is one) per lead ministry and fiscal year: one grouped query."""
    from programme_tracker.finance.models import BudgetLine

    revised = BudgetLine.objects.filter(programme=OuterRef("programme"), fiscal_year=OuterRef("fiscal_year"),
                                        kind=BudgetLine.Kind.REVISED)
    lines = (BudgetLine.objects.order_by().filter(fiscal_year__in=years, currency="EUR")
             .annotate(has_revision=Exists(revised))
             .exclude(kind=BudgetLine.Kind.ORIGINAL, has_revision=True)
             .values_list("programme__lead_ministry__short_name", "fiscal_year").annotate(total=Sum("amount")))
    amounts: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for ministry, year, total in lines:
        amounts[ministry or ""][year] = Decimal(total).quantize(Decimal("0.01"))
    return dict(amounts)


def money_by_ministry(today: date, version: str) -> Chart:
    """The budget per lead ministry and year around this year, as a stacked bar chart."""
    years = list(range(today.year - YEARS_BEFORE, today.year + YEARS_AFTER + 1))
    amounts = cached("budget-by-ministry", today, lambda: budget_by_ministry(years), version)
    ministries = sorted(amounts, key=lambda m: -sum(amounts[m].values()))
    return Chart("money-by-ministry", _("Budget by lead ministry and year (EUR)"), "stacked", [str(y) for y in years],
                 [Series(ministry or _("no lead ministry"), [amounts[ministry].get(y, Decimal("0.00")) for y in years],
                         PALETTE[i % len(PALETTE)]) for i, ministry in enumerate(ministries)], money=True)


@dataclass(frozen=True)
class Cliff:
    """How many programmes are active, and how many of them have no secured funding today."""

    unsecured: int
    active: int


def cliff_figures(snap: Snapshot) -> Cliff:
    """The active programmes and those of them not secured today (every one of them is read)."""
    active_ids = list(Programme.objects.filter(status=ProgrammeStatus.ACTIVE).order_by().values_list("id", flat=True))
    return Cliff(sum(1 for pid in active_ids if snap.until(pid) is None), len(active_ids))


def funding_cliff(snap: Snapshot, show_money: bool) -> tuple[list[Chart], list[funding_ending.Ending]]:
    """Active programmes, and the money, whose secured funding ends per quarter (the next eight), each bar
    leading to the list of those programmes; and the ten ending soonest."""
    quarters = next_quarters(snap.day)
    rows = funding_ending.ending(snap, quarters)
    totals = funding_ending.per_quarter(rows, quarters)
    labels = [quarter_label(*q) for q in quarters]
    links = [reverse("desk:ending") + "?" + urlencode({"quarter": quarter_key(*q)}) for q in quarters]
    charts = [Chart("funding-cliff", _("Secured funding ending per quarter"), "bar", labels,
                    [Series(_("active programmes"), [totals[q][0] for q in quarters], SEVERITY_COLOURS["warning"],
                            links)])]
    if show_money:
        charts.append(Chart("funding-cliff-money", _("Secured funding ending per quarter, in euros"), "bar", labels,
                            [Series(_("amount ending (EUR)"), [totals[q][1] for q in quarters],
                                    SEVERITY_COLOURS["critical"], links)], money=True))
    return charts, rows[:10]


def alerts_by_severity() -> Chart:
    """Open and acknowledged alerts per severity; a click opens the inbox with that severity."""
    counts = Counter({(severity, state): n for severity, state, n in Alert.objects.order_by().filter(
        state__in=ACTIVE_STATES).values_list("severity", "state").annotate(n=Count("id"))})
    labels = [Severity(s).label for s in SEVERITY_ORDER]
    inbox = reverse("desk:inbox")
    return Chart("alerts-by-severity", _("Open alerts by severity"), "stacked", labels, [
        Series(AlertState(state).label, [counts[(s, state)] for s in SEVERITY_ORDER], colour,
               [f"{inbox}?{urlencode({'severity': s, 'state': state})}" for s in SEVERITY_ORDER])
        for state, colour in ((AlertState.OPEN, SEVERITY_COLOURS["critical"]),
                              (AlertState.ACKNOWLEDGED, PALETTE[4]))
    ])


def recommendation_coverage(snap: Snapshot) -> tuple[Chart, dict[str, int]]:
    """The accepted recommendations by coverage on the reference date: covered, at risk (covered, but not beyond
    the coverage horizon) and uncovered (no funded programme). Those the government did not accept (yet) are not
    in the chart, which would otherwise be mostly their grey: its note counts them by response."""
    responses = Counter()
    counts = Counter()
    for recommendation_id, response in Recommendation.objects.order_by().values_list("id", "government_response"):
        counts[state(response in ACCEPTED, snap.covered_until.get(recommendation_id), snap.horizon)] += 1
        if response not in ACCEPTED:
            responses[response] += 1
    kinds = [kind for kind in KINDS if kind != "not_accepted"]
    matrix = reverse("desk:coverage")
    chart = Chart("recommendation-coverage", _("Accepted recommendations by coverage"), "doughnut",
                  [COVERAGE_LABELS[kind] for kind in kinds],
                  [Series(_("recommendations"), [counts[k] for k in kinds], "",
                          [f"{matrix}?{urlencode({'coverage': k})}" for k in kinds])])
    chart.series[0].colour = [COVERAGE_COLOURS[k] for k in kinds]
    if responses:
        chart.note = _("Not in the chart: %(responses)s.") % {"responses": ", ".join(
            f"{count} {GovernmentResponse(response).label.lower()}" for response, count in sorted(responses.items()))}
    return chart, counts


def task_force_headlines(today: date) -> list[Headline]:
    """The coordination loop in three figures: critical problems nobody decided on, overdue actions, and the median
    days from an alert to the decision on it."""
    loop = task_force_figures(today)
    headlines = [
        Headline(ngettext("critical problem without a decision", "critical problems without a decision",
                          loop.undecided_critical), loop.undecided_critical, reverse("desk:task-force"),
                 alarm=loop.undecided_critical > 0),
        Headline(ngettext("overdue action item", "overdue action items", loop.overdue_actions), loop.overdue_actions,
                 reverse("admin:taskforce_actionitem_changelist") + "?whose=late", alarm=loop.overdue_actions > 0),
    ]
    if loop.median_days_to_decision is not None:
        days = round(loop.median_days_to_decision)
        headlines.append(Headline(ngettext("day from alert to decision (median)",
                                           "days from alert to decision (median)", days), days,
                                  reverse("desk:task-force")))
    return headlines


def dashboard(today: date, show_money: bool, show_alerts: bool, show_task_force: bool = False) -> dict:
    """Everything the dashboard shows, for a user who may (or may not) see money, alerts and the task force."""
    version = stamp()
    snap = snapshot(today, version)
    figures = cached("cliff", today, lambda: cliff_figures(snap), version)
    cliff, ending = funding_cliff(snap, show_money)
    covered, coverage_counts = recommendation_coverage(snap)
    accepted = coverage_counts["covered"] + coverage_counts["at_risk"] + coverage_counts["uncovered"]
    charts = [*cliff, programmes_by_area(cached("area-status", today, area_status_counts, version)), covered]
    headlines = [
        Headline(ngettext("active programme", "active programmes", figures.active), figures.active,
                 _changelist("portfolio_programme", status=ProgrammeStatus.ACTIVE)),
        Headline(_("active without secured funding today"), figures.unsecured, reverse("desk:timeline") + "?"
                 + urlencode({"status": ProgrammeStatus.ACTIVE, "secured": "no"}), alarm=figures.unsecured > 0),
        # Covered today counts those at risk too (covered, but not beyond the horizon): the label says how many.
        Headline(ngettext("accepted recommendations covered today, %(count)s of them at risk",
                          "accepted recommendations covered today, %(count)s of them at risk",
                          coverage_counts["at_risk"]) % {"count": coverage_counts["at_risk"]},
                 coverage_counts["covered"] + coverage_counts["at_risk"],
                 reverse("desk:coverage"), alarm=coverage_counts["uncovered"] > 0, of=accepted),
    ]
    if show_alerts:
        alerts = alerts_by_severity()
        charts.append(alerts)
        critical = sum(series.values[0] for series in alerts.series)  # open and acknowledged; Critical first
        headlines.append(Headline(ngettext("critical alert open", "critical alerts open", critical), critical,
                                  reverse("desk:inbox") + "?severity=critical", alarm=critical > 0))
    if show_task_force:
        headlines += task_force_headlines(today)
    if show_money:
        charts.insert(len(cliff) + 1, money_by_ministry(today, version))
    return {"charts": charts, "headlines": headlines, "ending": ending, "show_money": show_money,
            "show_alerts": show_alerts,
            "accepted": accepted,
            "coverage_counts": coverage_counts}
