"""Budget against committed against paid against spent, per programme, lead ministry or area, and fiscal year.

Each measure is one aggregate query grouped by programme and year (budget: the fiscal year of the line, using the
revision where there is one; committed: the year of the decision; paid: of the payment; spent: the start of the
reported period, as IATI dates its transactions). Groups and totals are sums of those same rows in Decimal, so
every total is exactly the sum of its parts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment
from programme_tracker.portfolio.models import Programme

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


def _per_programme_year() -> dict[tuple[int, int], dict[str, Decimal]]:
    """The four measures per (programme id, year): four grouped queries."""
    cells: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(MEASURES, Decimal("0.00")))
    # Budget: the revised line of a year replaces the original one.
    budget = {}
    for programme_id, year, kind, amount in BudgetLine.objects.order_by().values_list(
        "programme_id", "fiscal_year", "kind", "amount"
    ):
        if kind == BudgetLine.Kind.REVISED or (programme_id, year) not in budget:
            budget[(programme_id, year)] = amount
    for key, amount in budget.items():
        cells[key]["budget"] += amount
    for measure, model, date_field in (("committed", Commitment, "decided_on"), ("paid", Payment, "paid_on"),
                                       ("spent", Expenditure, "period_start")):
        rows = (
            model.objects.order_by().annotate(year=ExtractYear(date_field))
            .values("funding_period__programme_id", "year").annotate(total=Sum("amount"))
            .values_list("funding_period__programme_id", "year", "total")
        )
        for programme_id, year, total in rows:
            # SQLite sums decimals as floating point; to the cent it is exact for any realistic amount.
            cells[(programme_id, year)][measure] += Decimal(total).quantize(CENT)
    return cells


def budget_against_actual(group_by: str = "programme", years: range | None = None) -> tuple[list[Line], Line]:
    """The report's lines (sorted by group and year) and the grand total; `years` limits the fiscal years."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    names = dict(Programme.objects.order_by().values_list("pk", GROUPS[group_by]))
    lines: dict[tuple[str, int], Line] = {}
    total = Line(group="", year=0)
    for (programme_id, year), amounts in _per_programme_year().items():
        if years is not None and year not in years:
            continue
        group = names.get(programme_id) or "—"
        line = lines.setdefault((group, year), Line(group=group, year=year))
        for measure in MEASURES:
            line.amounts[measure] += amounts[measure]
            total.amounts[measure] += amounts[measure]
    return [lines[key] for key in sorted(lines)], total
