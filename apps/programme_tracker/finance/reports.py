"""Budget against committed against paid against spent, per programme, lead ministry or area, and fiscal year.

Each measure is one aggregate query grouped by programme and year (budget: the fiscal year of the line, using the
revision where there is one; committed: the year of the decision; paid: of the payment; spent: the start of the
reported period, as IATI dates its transactions). Groups and totals are sums of those same rows in Decimal, so
every total is exactly the sum of its parts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment
from programme_tracker.finance.sums import with_committed_and_spent
from programme_tracker.portfolio.models import SECURED_FUNDING_STATUSES, FundingPeriod, Programme

MEASURES = ("budget", "committed", "paid", "spent")
CENT = Decimal("0.01")
GROUPS = {
    "programme": "code",
    "ministry": "lead_ministry__short_name",
    "area": "area",
}


@dataclass
class Line:
    """One row of the report: a group (programme code, ministry or area) in one fiscal year, with its four sums."""

    group: str
    year: int
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MEASURES, Decimal("0.00")))


def _per_programme_year(programme_id: int | None = None) -> dict[tuple[int, int], dict[str, Decimal]]:
    """The four measures per (programme id, year), of one programme or all: four grouped queries."""
    only = {} if programme_id is None else {"programme_id": programme_id}
    cells: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(MEASURES, Decimal("0.00")))
    # Budget: the revised line of a year replaces the original one.
    budget = {}
    for programme, year, kind, amount in BudgetLine.objects.filter(**only).order_by().values_list(
        "programme_id", "fiscal_year", "kind", "amount"
    ):
        if kind == BudgetLine.Kind.REVISED or (programme, year) not in budget:
            budget[(programme, year)] = amount
    for key, amount in budget.items():
        cells[key]["budget"] += amount
    for measure, model, date_field in (("committed", Commitment, "decided_on"), ("paid", Payment, "paid_on"),
                                       ("spent", Expenditure, "period_start")):
        rows = (
            model.objects.filter(**{f"funding_period__{k}": v for k, v in only.items()})
            .order_by().annotate(year=ExtractYear(date_field))
            .values("funding_period__programme_id", "year").annotate(total=Sum("amount"))
            .values_list("funding_period__programme_id", "year", "total")
        )
        for programme, year, total in rows:
            # SQLite sums decimals as floating point; to the cent it is exact for any realistic amount.
            cells[(programme, year)][measure] += Decimal(total).quantize(CENT)
    return cells


def budget_against_actual(group_by: str = "programme", years: range | None = None,
                          programme_id: int | None = None) -> tuple[list[Line], Line]:
    """The report's lines (sorted by group and year) and the grand total; `years` limits the fiscal years and
    `programme_id` the programmes to one."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    programmes = Programme.objects.order_by() if programme_id is None else Programme.objects.filter(pk=programme_id)
    names = dict(programmes.values_list("pk", GROUPS[group_by]))
    lines: dict[tuple[str, int], Line] = {}
    total = Line(group="", year=0)
    for (programme, year), amounts in _per_programme_year(programme_id).items():
        if years is not None and year not in years:
            continue
        group = names.get(programme) or "—"
        line = lines.setdefault((group, year), Line(group=group, year=year))
        for measure in MEASURES:
            line.amounts[measure] += amounts[measure]
            total.amounts[measure] += amounts[measure]
    return [lines[key] for key in sorted(lines)], total


@dataclass
class Projection:
    """Spending of one funding period: committed, spent so far, the burn rate and where it leads by the end."""

    code: str
    programme: str
    start: date
    end: date
    committed: Decimal
    spent: Decimal
    reported_until: date | None
    per_month: Decimal  # average spending per 30 days over the reported stretch
    projected: Decimal  # spent + per-day rate × the days from the last report to the end

    @property
    def projected_share(self) -> int | None:
        """The projection as a percentage of the commitment (None without a commitment)."""
        return int(self.projected * 100 / self.committed) if self.committed else None

    @property
    def plan(self) -> str:
        """"over" when the projection passes the commitment, "under" when it stays below UNDER_PLAN_PERCENT of it
        (with some spending reported: without any, there is nothing to project), else ""."""
        share = self.projected_share
        if share is None or not self.reported_until:
            return ""
        return "over" if share > 100 else "under" if share < UNDER_PLAN_PERCENT else ""


# A projection below this share of the commitment is marked "under plan": money that may go unspent.
UNDER_PLAN_PERCENT = 90


def spending_projection(today: date) -> list[Projection]:
    """Burn rate and projected spending to the end for every secured funding period running on `today`.

    The rate is what was reported spent divided by the days from the period's start to the end of the last
    reported month or quarter; the projection carries that rate on to the period's end. One query.
    """
    running = FundingPeriod.objects.filter(status__in=SECURED_FUNDING_STATUSES, start__lte=today, end__gte=today)
    rows = (
        with_committed_and_spent(running)
        .order_by("programme__code", "start")
        .values_list("code", "programme__code", "start", "end", "committed", "spent", "reported_until")
    )
    projections = []
    for code, programme, start, end, committed_amount, spent_amount, reported_until in rows:
        committed_amount, spent_amount = Decimal(committed_amount).quantize(CENT), Decimal(spent_amount).quantize(CENT)
        per_day, remaining = Decimal("0"), 0
        if reported_until is not None:  # without any report there is no rate to carry on
            reported_until = min(reported_until, end)
            per_day = spent_amount / ((reported_until - start).days + 1)
            remaining = (end - reported_until).days
        projections.append(Projection(
            code=code, programme=programme, start=start, end=end, committed=committed_amount, spent=spent_amount,
            reported_until=reported_until, per_month=(per_day * 30).quantize(CENT),
            projected=(spent_amount + per_day * remaining).quantize(CENT),
        ))
    return projections


YearRow = tuple[str, list[Decimal], Decimal]  # group, an amount per year, the row's total


def by_year(lines: list[Line], measure: str) -> tuple[list[int], list[YearRow], list[Decimal]]:
    """The multi-year view of one measure: the years, one row per group (an amount per year and the row's total),
    and the totals per year (the last of them the grand total)."""
    years = sorted({line.year for line in lines})
    cells: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for line in lines:
        cells[line.group][line.year] = line.amounts[measure]
    rows = []
    for group in sorted(cells):
        amounts = [cells[group].get(year, Decimal("0.00")) for year in years]
        rows.append((group, amounts, sum(amounts, Decimal("0.00"))))
    column_totals = [sum((row[1][i] for row in rows), Decimal("0.00")) for i in range(len(years))]
    return years, rows, [*column_totals, sum(column_totals, Decimal("0.00"))]
