"""Benchmark of the finance import and the budget-against-actual report (a script that prints figures, not a test).

    .venv/bin/python benchmarks/finance.py                      # SQLite, 10k programmes × 5 years, 100k rows
    .venv/bin/python benchmarks/finance.py --mariadb            # the same on MariaDB (targets are for MariaDB)

Builds 10k programmes with five yearly funding periods each (benchmarks/scan.py's portfolio), writes a CSV of
budget lines as Dutch Excel saves it (`;`, decimal commas, day-first dates): an original and a revision per
programme and fiscal year, 100k rows. Times the dry run, the commit, the same file again (nothing changes), and
the budget-against-actual report over the five years by programme and by ministry, with payments, commitments and
expenditure in place. Targets (issue 4): dry run < 60 s, commit < 120 s, report < 2 s on MariaDB.
"""

import argparse
import statistics
import time
from datetime import date, timedelta

from database import configure  # benchmarks/database.py: the throw-away site and database
from scan import build


def budget_csv(programmes: list[str], first_year: int, years: int) -> bytes:
    """Two rows (original, revised) per programme and year, in Dutch notation."""
    lines = ["Programme;Fiscal year;Kind;Status;Amount;Revised on;Note"]
    for n, code in enumerate(programmes):
        for year in range(first_year, first_year + years):
            cents = (n * 7919 + year) % 100
            lines.append(f"{code};{year};original;committed;{100 + n % 800}.{n % 1000:03d},{cents:02d};;")
            lines.append(f"{code};{year};revised;committed;{110 + n % 800}.{n % 1000:03d},{cents:02d};"
                         f"15-03-{year};herzien")
    return ("\n".join(lines) + "\n").encode("utf-8")


def add_money(first_year: int, years: int) -> None:
    """Commitments, payments and expenditure on every funding period, so that the report reads all four."""
    from decimal import Decimal

    from programme_tracker.finance.models import Commitment, Expenditure, Payment
    from programme_tracker.portfolio.models import FundingPeriod, Organisation

    ministry = Organisation.objects.get(short_name="JenV")
    periods = list(FundingPeriod.objects.values_list("pk", "start"))
    commitments, payments, spending = [], [], []
    for n, (pk, start) in enumerate(periods):
        day = date(first_year + n % years, 1 + n % 12, 1)
        commitments.append(Commitment(funding_period_id=pk, reference=f"C{pk}", decided_on=start,
                                      amount=Decimal("100000.00")))
        payments.append(Payment(funding_period_id=pk, reference=f"P{pk}", paid_on=day, amount=Decimal("50000.01")))
        spending.append(Expenditure(funding_period_id=pk, organisation=ministry, period_start=day,
                                    period_end=day + timedelta(days=27), category="personnel",
                                    amount=Decimal("41234.57")))
    for model, rows in ((Commitment, commitments), (Payment, payments), (Expenditure, spending)):
        model.objects.bulk_create(rows, batch_size=5000)


def timed(label: str, function):
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"{label:52s} {elapsed:8.2f} s")
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--mariadb", action="store_true", help="run on MariaDB at 127.0.0.1 (root, no password)")
    args = parser.parse_args()
    configure(args)
    from django.db import connection

    from programme_tracker.finance.imports import import_money
    from programme_tracker.finance.models import BudgetLine
    from programme_tracker.finance.reports import budget_against_actual
    from programme_tracker.finance.spreadsheet import read_table
    from programme_tracker.portfolio.models import Programme

    started = time.perf_counter()
    build(args.programmes, args.programmes * args.years)
    first_year = date.today().year - 2
    add_money(first_year, args.years)
    codes = list(Programme.objects.order_by("pk").values_list("code", flat=True))
    data = budget_csv(codes, first_year, args.years)
    rows = len(data.splitlines()) - 1
    print(f"database: {connection.vendor}; {len(codes)} programmes, {rows} rows ({len(data) / 1e6:.1f} MB CSV) ready "
          f"in {time.perf_counter() - started:.1f} s")

    timed("reading the CSV (parse only)", lambda: read_table(data, "budget.csv"))
    dry, report = timed(f"import dry run ({rows} rows)", lambda: import_money("budget-lines", data, "budget.csv"))
    assert report.ok and report.created == rows, report.errors[:5]
    commit, report = timed("import commit", lambda: import_money("budget-lines", data, "budget.csv", commit=True))
    assert report.committed and BudgetLine.objects.count() == rows
    again, report = timed("the same file again (commit, nothing changes)",
                          lambda: import_money("budget-lines", data, "budget.csv", commit=True))
    assert (report.created, report.updated, report.unchanged) == (0, 0, rows)
    changed = data.replace(b";original;committed;1", b";original;committed;2")
    _t, report = timed("a file with changed amounts (commit, updates)",
                       lambda: import_money("budget-lines", changed, "budget.csv", commit=True))
    print(f"    {report.updated} updated, {report.unchanged} unchanged")

    for group_by in ("programme", "ministry"):
        runs = []
        for _ in range(3):
            begun = time.perf_counter()
            lines, total = budget_against_actual(group_by)
            runs.append(time.perf_counter() - begun)
        print(f"{'budget against actual by ' + group_by + ' (median of 3)':52s} {statistics.median(runs):8.2f} s"
              f"   {len(lines)} lines; total budget {total.amounts['budget']}")
    print(f"targets: dry run < 60 s ({'met' if dry < 60 else 'MISSED'}), commit < 120 s "
          f"({'met' if commit < 120 else 'MISSED'})")


if __name__ == "__main__":
    main()
