"""Spreadsheet import: dry run, errors by row and column, all-or-nothing, idempotent, messy-but-valid files."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programme_tracker.continuity.models import Alert
from programme_tracker.finance.imports import import_money
from programme_tracker.finance.models import BudgetLine, Expenditure, Payment, Tranche
from programme_tracker.setup.demo import load_demo
from tests.builders import csv_bytes, xlsx_bytes

BUDGET = "programme;fiscal year;kind;status;amount\nHELPLINE;2026;original;committed;1.234,56\nHELPLINE;2027;;;2000\n"


def budget(programme):
    return {(b.fiscal_year, b.kind, b.status, b.amount) for b in BudgetLine.objects.filter(programme=programme)}


def test_dry_run_reports_and_writes_nothing(programme):
    report = import_money("budget-lines", csv_bytes(BUDGET), "budget.csv")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged, report.committed) == (2, 0, 0, False)
    assert [c["row"] for c in report.changes] == [2, 3]
    assert not BudgetLine.objects.exists()


def test_a_dry_run_reads_in_the_same_few_queries_whatever_the_rows_and_writes_nothing(programme):
    """The codes, the stored records and the tranches are looked up once, not per row; a dry run holds no
    transaction (on SQLite that would take the database's only write lock)."""
    def queries(rows: int) -> list[str]:
        text = "funding period;reference;paid on;amount;tranche planned on\n" + "".join(
            f"HELPLINE-2025;B-{n};2026-01-31;10;\n" for n in range(rows))
        with CaptureQueriesContext(connection) as captured:
            assert import_money("payments", csv_bytes(text), "payments.csv").created == rows
        return [query["sql"] for query in captured.captured_queries]

    few, many = queries(2), queries(200)
    assert len(few) == len(many) == 3
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in many), many


def test_commit_then_the_same_file_again_changes_nothing(programme, accounts):
    first = import_money("budget-lines", csv_bytes(BUDGET), "budget.csv", commit=True)
    assert first.committed and first.created == 2
    assert budget(programme) == {(2026, "original", "committed", Decimal("1234.56")),
                                 (2027, "original", "indicative", Decimal("2000"))}
    history = BudgetLine.history.count()
    again = import_money("budget-lines", csv_bytes(BUDGET), "budget.csv", commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert BudgetLine.history.count() == history  # not even a history row


def test_a_changed_amount_updates_the_record_and_shows_old_and_new(programme):
    import_money("budget-lines", csv_bytes(BUDGET), commit=True)
    line = BudgetLine.objects.get(fiscal_year=2026)
    changed = BUDGET.replace("1.234,56", "1.500,00")
    report = import_money("budget-lines", csv_bytes(changed), commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.changes == [{"row": 2, "action": "update", "record": "HELPLINE 2026 original",
                               "changed": [{"column": "amount", "old": Decimal("1234.56"), "new": Decimal("1500.00")}]}]
    line_after = BudgetLine.objects.get(pk=line.pk)
    assert line_after.amount == Decimal("1500.00") and line_after.version == line.version + 1
    assert line_after.history.first().history_change_reason == "imported from a spreadsheet"


def test_one_bad_row_rolls_back_everything_and_is_named(programme):
    text = BUDGET + "NOPE;2026;;;10\nHELPLINE;2028;;;-5\nHELPLINE;2029;;;12abc\n"
    report = import_money("budget-lines", csv_bytes(text), commit=True)
    assert not report.committed
    assert [str(e) for e in report.errors] == [
        "row 4, column 'programme': unknown programme code 'NOPE'",
        "row 5, column 'amount': Ensure this value is greater than or equal to 0.",
        "row 6, column 'amount': '12abc' is not an amount (write it like 1234,56 or 1.234,56)",
    ]
    assert not BudgetLine.objects.exists()


def test_strict_about_dates_out_of_order_and_duplicate_rows(programme):
    period = programme.funding_periods.get()
    header = "funding period,organisation,from,to,category,amount\n"
    rows = ("HELPLINE-2025,JenV,2026-03-31,2026-01-01,personnel,10\n"
            "HELPLINE-2025,JenV,01-01-2026,31-03-2026,Personnel,10\n"
            "HELPLINE-2025,JenV,2026-01-01,2026-03-31,personnel,11\n")
    report = import_money("expenditure", csv_bytes(header + rows), commit=True)
    assert [str(e) for e in report.errors] == [
        "row 2, column 'to': The end cannot be before the start.",
        "row 4, column 'funding period': the same record as row 3 (same funding period, organisation, from, "
        "category)",
    ]
    assert not Expenditure.objects.filter(funding_period=period).exists()


def test_missing_columns_and_unknown_ones(programme):
    report = import_money("payments", csv_bytes("funding period;amount;remark\nHELPLINE-2025;10;x\n"))
    assert [str(e) for e in report.errors] == ["file, column 'reference': this column is missing",
                                               "file, column 'paid on': this column is missing"]
    assert report.ignored_columns == ["remark"]


def test_messy_but_valid_csv(programme):
    """A BOM, Windows-1252 text, ';' separators, Dutch numbers, text dates, header case and trailing empty rows."""
    text = ("\ufeffFunding Period;Reference;Paid On;Amount;Currency;Tranche planned on\r\n"
            "HELPLINE-2025;BOEKING-1;31-01-2026;12.500,00;eur;31-01-2026\r\n"
            "HELPLINE-2025;BOEKING-2;2026-02-28;€ 1.234,5;;\r\n"
            ";;;;;\r\n\r\n")
    period = programme.funding_periods.get()
    tranche = Tranche.objects.create(funding_period=period, planned_on=date(2026, 1, 31), amount=Decimal("12500"))
    report = import_money("payments", csv_bytes(text, "utf-8"), "betalingen.csv", commit=True)
    assert report.ok, report.errors
    assert report.rows == 2
    assert sorted(Payment.objects.values_list("reference", "paid_on", "amount", "currency", "tranche")) == [
        ("BOEKING-1", date(2026, 1, 31), Decimal("12500.00"), "EUR", tranche.pk),
        ("BOEKING-2", date(2026, 2, 28), Decimal("1234.50"), "EUR", None),
    ]


def test_windows_1252_and_comma_separated(programme):
    text = "programme,fiscal year,amount,note\nHELPLINE,2026,\"1,234.56\",Vóór de zomer\n"
    report = import_money("budget-lines", csv_bytes(text, "cp1252"), commit=True)
    assert report.ok, report.errors
    assert BudgetLine.objects.get().note == "Vóór de zomer"


def test_xlsx_with_excel_dates_numbers_and_empty_rows(programme):
    rows = [["Programme", "Fiscal year", "Kind", "Revised on", "Amount"],
            ["HELPLINE", 2026, "Revised", date(2026, 5, 1), 1234.56],
            ["HELPLINE", 2026.0, "original", None, 0.1 + 0.2],
            [None, None, None, None, None], [None, None, None, None, None]]
    report = import_money("budget-lines", xlsx_bytes(rows), "budget.xlsx", commit=True)
    assert report.ok, report.errors
    assert budget(programme) == {(2026, "revised", "indicative", Decimal("1234.56")),
                                 (2026, "original", "indicative", Decimal("0.30"))}


def test_xlsx_excel_day_numbers(programme):
    rows = [["programme", "fiscal year", "kind", "revised on", "amount"], ["HELPLINE", 2026, "revised", 46143, 5]]
    assert import_money("budget-lines", xlsx_bytes(rows), "b.xlsx", commit=True).ok
    assert BudgetLine.objects.get().revised_on == date(2026, 5, 1)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"PK\x03\x04broken zip"])
def test_unreadable_files_are_refused_whole(programme, data):
    report = import_money("budget-lines", data, "x.xlsx" if data.startswith(b"PK") else "x.csv")
    assert len(report.errors) == 1 and report.errors[0].row == 0


def test_an_unknown_tranche_date_is_named(programme):
    text = "funding period;reference;paid on;amount;tranche planned on\nHELPLINE-2025;B-1;2026-01-31;10;2026-01-30\n"
    report = import_money("payments", csv_bytes(text), commit=True)
    assert [str(e) for e in report.errors] == [
        "row 2, column 'tranche planned on': funding period HELPLINE-2025 has no tranche planned on 2026-01-30"]


def test_import_re_evaluates_the_programmes_it_touches(programme, django_capture_on_commit_callbacks):
    period = programme.funding_periods.get()
    with django_capture_on_commit_callbacks(execute=True):
        Tranche.objects.create(funding_period=period, planned_on=date(2020, 1, 31), amount=Decimal("10"))
    assert Alert.objects.filter(rule="tranche-overdue", state="open").count() == 1
    text = "funding period;reference;paid on;amount;tranche planned on\nHELPLINE-2025;B-1;2020-02-01;10;2020-01-31\n"
    with django_capture_on_commit_callbacks(execute=True):
        assert import_money("payments", csv_bytes(text), commit=True).committed
    assert not Alert.objects.filter(rule="tranche-overdue", state="open").exists()


EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "examples" / "begroting-2026-2027.csv"


def test_the_example_spreadsheet_has_one_bad_row_and_imports_once_fixed(base, tmp_path):
    """fixtures/examples/begroting-2026-2027.csv, which the README offers to try: through the command line."""
    load_demo(date(2026, 11, 29))
    with pytest.raises(CommandError) as caught:
        call_command("import_money", "budget-lines", str(EXAMPLE))
    assert "row 5, column 'programme': unknown programme code 'POLICE-UNT'" in str(caught.value)
    fixed = tmp_path / "begroting.csv"
    fixed.write_bytes(EXAMPLE.read_bytes().replace(b"POLICE-UNT;", b"POLICE-UNIT;"))
    for expected in ("8 rows dry run", "8 rows imported", "8 rows imported: 0 created, 0 updated, 8 unchanged"):
        out = io.StringIO()
        call_command("import_money", "budget-lines", str(fixed), *(["--commit"] if "imported" in expected else []),
                     stdout=out)
        assert expected in out.getvalue()
    assert BudgetLine.objects.get(programme__code="COSA", fiscal_year=2026).amount == Decimal("310500.50")
