"""How the import reads a file: the decimal separator of its amounts, formulas without a computed value, and which
sheet of a workbook; every refusal by row, column and value, and nothing saved."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from programme_tracker.finance.imports import import_money
from programme_tracker.finance.models import BudgetLine, Payment, Tranche
from programme_tracker.finance.spreadsheet import read_table
from tests.builders import csv_bytes, xlsx_bytes

HEADER = "programme;fiscal year;kind;amount\n"


def budget_csv(*rows: str) -> bytes:
    return csv_bytes(HEADER + "".join(f"HELPLINE;{row}\n" for row in rows))


def problems(report) -> list[str]:
    return [str(error) for error in report.errors]


def workbook_bytes(sheets: dict[str, list], hidden=()) -> bytes:
    """An XLSX file with these sheets (name: rows) in this order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.sheet_state = "hidden" if name in hidden else "visible"
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_computed_value(data: bytes, cell: str, value: str, data_type: str = "n") -> bytes:
    """The XLSX file as Excel saves it: the formula in `cell` with its computed value (openpyxl writes none)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, found = re.subn(rf'<c r="{cell}"[^>]*><f>(.*?)</f><v ?/>'.encode(),
                                         rf'<c r="{cell}" t="{data_type}"><f>\1</f><v>{value}</v>'.encode(), content)
                assert found == 1
            target.writestr(item, content)
    return out.getvalue()


# -- amounts: the decimal separator -----------------------------------------------------------------------------
def test_amounts_with_three_decimals_are_refused_by_row_column_and_value(programme):
    report = import_money("budget-lines", budget_csv("2026;;1.234,567", "2027;;1,234.567", "2028;;1.234.567,891",
                                                     "2029;;0,001", "2030;;1234,567", "2031;;1.234.56",
                                                     "2032;;1,23,456.00"), commit=True)
    assert problems(report) == [
        "row 2, column 'amount': '1.234,567' has more than two decimals",
        "row 3, column 'amount': '1,234.567' has more than two decimals",
        "row 4, column 'amount': '1.234.567,891' has more than two decimals",
        "row 5, column 'amount': '0,001' has more than two decimals",
        "row 6, column 'amount': '1234,567' has more than two decimals",
        "row 7, column 'amount': '1.234.56' is not an amount (write it like 1234,56 or 1.234,56)",
        "row 8, column 'amount': '1,23,456.00' is not an amount (write it like 1234,56 or 1.234,56)",
    ]
    assert not report.committed and not BudgetLine.objects.exists()


@pytest.mark.parametrize(("settling", "ambiguous", "amount", "mark"), [
    ("1.234,56", "320.000", Decimal("320000"), ","),  # the README's example file: Dutch thousands
    ("12,5", "12.345", Decimal("12345"), ","),
    ("1,234.56", "320,000", Decimal("320000"), "."),
    ("1.234.567", "12.345", Decimal("12345"), ","),  # a separator used twice groups thousands
])
def test_an_ambiguous_amount_is_read_by_the_decimal_separator_of_the_other_rows(programme, settling, ambiguous,
                                                                                amount, mark):
    report = import_money("budget-lines", budget_csv(f"2027;;{ambiguous}", f"2026;;{settling}"), commit=True)
    assert report.committed, report.errors
    assert (report.notation.decimal_mark, report.notation.row, report.notation.example) == (mark, 3, settling)
    assert BudgetLine.objects.get(fiscal_year=2027).amount == amount


def test_an_ambiguous_amount_with_the_decimal_separator_of_the_other_rows_has_three_decimals(programme):
    report = import_money("budget-lines", budget_csv("2026;;1.234,56", "2027;;12,345"), commit=True)
    assert problems(report) == ["row 3, column 'amount': '12,345' has more than two decimals (the decimal "
                                "separator is the comma, as in row 2: '1.234,56')"]


def test_an_ambiguous_amount_is_refused_until_the_decimal_separator_is_chosen(programme):
    data = budget_csv("2026;;12,345", "2027;;2000")
    report = import_money("budget-lines", data, commit=True)
    assert problems(report) == [
        "row 2, column 'amount': '12,345' could be 12345 (with ',' grouping thousands) or 12.345 (three decimals): no "
        "other amount in the file shows which separator is the decimal one; choose the decimal separator on the "
        "import page (or --decimal-comma or --decimal-point on the command line)"]
    assert not BudgetLine.objects.exists()
    assert import_money("budget-lines", data, commit=True, decimal_mark=".").committed
    assert BudgetLine.objects.get(fiscal_year=2026).amount == Decimal("12345")


def test_amounts_written_with_both_decimal_separators_are_refused(programme):
    report = import_money("budget-lines", budget_csv("2026;;1.234,56", "2027;;1,234.56", "2028;;9,99",
                                                     "2029;;12.345"), commit=True)
    assert problems(report) == [
        "file, column 'amount': The amounts use both decimal separators: the comma in 2 amounts (the first in row 2: "
        "'1.234,56') and the point in 1 amount (the first in row 3: '1,234.56'). Write them one way, or choose the "
        "decimal separator on the import page (or --decimal-comma or --decimal-point on the command line).",
        "row 5, column 'amount': '12.345' could be 12345 (with '.' grouping thousands) or 12.345 (three decimals): "
        "the file's other amounts use both separators; choose the decimal separator on the import page (or "
        "--decimal-comma or --decimal-point on the command line)",
    ]
    assert not BudgetLine.objects.exists()


def test_a_chosen_decimal_separator_overrides_the_file_and_refuses_amounts_written_the_other_way(programme):
    report = import_money("budget-lines", budget_csv("2026;;1,234.56", "2027;;12.345"), decimal_mark=",")
    assert problems(report) == ["row 2, column 'amount': '1,234.56' is written with a decimal point, but the decimal "
                                "separator is the comma (chosen for this import)"]
    assert report.notation.chosen


def test_excel_numbers_settle_nothing_and_are_read_as_they_are(programme):
    rows = [["programme", "fiscal year", "amount"], ["HELPLINE", 2026, 12345], ["HELPLINE", 2027, 12.34],
            ["HELPLINE", 2028, "1.500"]]
    report = import_money("budget-lines", xlsx_bytes(rows), "budget.xlsx")
    assert problems(report) == [
        "row 4, column 'amount': '1.500' could be 1500 (with '.' grouping thousands) or 1.500 (three decimals): no "
        "other amount in the file shows which separator is the decimal one; choose the decimal separator on the "
        "import page (or --decimal-comma or --decimal-point on the command line)"]


# -- formulas without a computed value --------------------------------------------------------------------------
FORMULA_PROBLEM = "a formula without a computed value; open the file in a spreadsheet program and save it again"
PAYMENTS = ["funding period", "reference", "paid on", "amount", "tranche planned on", "remark"]


@pytest.mark.parametrize(("row", "column"), [
    (["HELPLINE-2025", "B-1", date(2026, 1, 31), "=1000+250", date(2026, 1, 31), None], "amount"),
    (["HELPLINE-2025", "B-1", date(2026, 1, 31), 1250, "=DATE(2026,1,31)", None], "tranche planned on"),
    (["HELPLINE-2025", "B-1", "=TODAY()", 1250, date(2026, 1, 31), None], "paid on"),
    (["HELPLINE-2025", '="B-"&1', date(2026, 1, 31), 1250, date(2026, 1, 31), None], "reference"),
    (["HELPLINE-2025", "B-1", date(2026, 1, 31), 1250, date(2026, 1, 31), "=D2*2"], "remark"),  # ignored column
])
def test_a_formula_without_a_computed_value_refuses_its_row(programme, row, column):
    period = programme.funding_periods.get()
    Tranche.objects.create(funding_period=period, planned_on=date(2026, 1, 31), amount=Decimal("1250"))
    good = ["HELPLINE-2025", "B-2", date(2026, 2, 28), 10, None, "ok"]
    report = import_money("payments", xlsx_bytes([PAYMENTS, good, row]), "payments.xlsx", commit=True)
    assert problems(report) == [f"row 3, column {column!r}: {FORMULA_PROBLEM}"]
    assert not Payment.objects.exists()


def test_a_formula_with_a_computed_value_is_read_as_that_value(programme):
    data = xlsx_bytes([["programme", "fiscal year", "amount", "note"], ["HELPLINE", 2026, "=1000+234.56", '=""']])
    data = with_computed_value(with_computed_value(data, "C2", "1234.56"), "D2", "", data_type="str")
    report = import_money("budget-lines", data, "budget.xlsx", commit=True)
    assert report.committed, report.errors
    assert BudgetLine.objects.values_list("amount", "note").get() == (Decimal("1234.56"), "")


def test_a_formula_without_a_computed_value_in_the_header_refuses_the_file(programme):
    report = import_money("budget-lines", xlsx_bytes([["programme", "fiscal year", '="amount"'],
                                                      ["HELPLINE", 2026, 5]]), "budget.xlsx")
    assert problems(report) == [f"file: Row 1, column C: {FORMULA_PROBLEM}."]


# -- which sheet ------------------------------------------------------------------------------------------------
BUDGET_ROWS = [["programme", "fiscal year", "amount"], ["HELPLINE", 2026, 1000]]


def test_the_only_sheet_with_data_is_read_and_named(programme):
    data = workbook_bytes({"Blad1": [], "Begroting": BUDGET_ROWS, "Blad3": [[None, None]]})
    report = import_money("budget-lines", data, "budget.xlsx", commit=True)
    assert report.committed, report.errors
    assert report.sheet == "Begroting" and BudgetLine.objects.get().amount == Decimal("1000")


def test_a_hidden_sheet_of_lists_does_not_count(programme):
    data = workbook_bytes({"Begroting": BUDGET_ROWS, "Lijsten": [["original"], ["revised"]]}, hidden={"Lijsten"})
    assert import_money("budget-lines", data, "budget.xlsx").sheet == "Begroting"


def test_several_sheets_with_data_are_refused_until_one_is_chosen(programme):
    data = workbook_bytes({"Toelichting": [["Begroting 2026"]], "Begroting": BUDGET_ROWS})
    report = import_money("budget-lines", data, "budget.xlsx")
    assert problems(report) == [
        "file: Several sheets have data ('Toelichting', 'Begroting'): choose the sheet to read (the sheet field on "
        "the import page, --sheet NAME on the command line)."]
    chosen = import_money("budget-lines", data, "budget.xlsx", sheet="begroting ", commit=True)
    assert chosen.committed and chosen.sheet == "Begroting"


def test_an_unknown_or_empty_sheet_is_refused_naming_the_sheets(programme):
    data = workbook_bytes({"Toelichting": [], "Begroting": BUDGET_ROWS})
    assert problems(import_money("budget-lines", data, "budget.xlsx", sheet="Blad1")) == [
        "file: This file has no sheet 'Blad1'; its sheets are 'Toelichting', 'Begroting'."]
    assert problems(import_money("budget-lines", data, "budget.xlsx", sheet="Toelichting")) == [
        "file: The sheet 'Toelichting' is empty: the first row should name the columns."]
    assert problems(import_money("budget-lines", workbook_bytes({"A": [], "B": []}), "x.xlsx")) == [
        "file: The file is empty: none of its sheets ('A', 'B') has anything in it."]


@pytest.mark.parametrize(("data", "name", "where"), [
    (csv_bytes("programme;fiscal year;amount\n;;\n"), "budget.csv", "the file"),
    (workbook_bytes({"Blad1": [], "Begroting": BUDGET_ROWS[:1]}), "budget.xlsx", "the sheet 'Begroting'"),
])
def test_a_file_with_only_the_column_names_has_no_rows_to_import(programme, data, name, where):
    report = import_money("budget-lines", data, name, commit=True)
    assert problems(report) == [f"file: no rows to import: {where} has only the row naming the columns"]
    assert not report.committed


def with_sheet_xml(data: bytes, change) -> bytes:
    """The XLSX file with its first sheet's XML passed through `change`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, change(content) if item.filename == "xl/worksheets/sheet1.xml" else content)
    return out.getvalue()


def test_a_sheet_is_read_without_padding_it_to_its_declared_size(programme):
    """A file may declare its sheet as A1:XFD1048576; only the rows it stores are read."""
    data = with_sheet_xml(xlsx_bytes(BUDGET_ROWS),
                          lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    table = read_table(data, "budget.xlsx")
    assert table.headers == ["programme", "fiscal year", "amount"] and table.rows == [(2, ["HELPLINE", 2026, 1000])]


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + b"\x00" * 100,
    csv_bytes('programme;fiscal year;amount\n"' + "x" * 200_000 + '";2026;1\n'),  # beyond csv's field limit
])
def test_damaged_files_are_refused_as_a_whole(programme, data):
    report = import_money("budget-lines", data, "budget.xlsx" if data.startswith(b"PK") else "budget.csv")
    assert not report.ok and report.errors[0].row == 0


def test_a_damaged_sheet_inside_a_sound_zip_is_refused(programme):
    data = with_sheet_xml(xlsx_bytes(BUDGET_ROWS), lambda xml: xml[:-200])
    assert problems(import_money("budget-lines", data, "b.xlsx")) == [
        "file: The sheet 'Sheet' of this XLSX file is damaged (unclosed token: line 1, column 571)."]


# -- the command line -------------------------------------------------------------------------------------------
def test_the_command_line_chooses_the_sheet_and_the_decimal_separator(programme, tmp_path):
    file = tmp_path / "begroting.xlsx"
    file.write_bytes(workbook_bytes({"Toelichting": [["x"]], "Begroting": [BUDGET_ROWS[0], ["HELPLINE", 2026,
                                                                                           "12.345"]]}))
    with pytest.raises(CommandError, match="--sheet NAME"):
        call_command("import_money", "budget-lines", str(file))
    with pytest.raises(CommandError, match="'12.345' could be 12345"):
        call_command("import_money", "budget-lines", str(file), "--sheet", "Begroting")
    out = io.StringIO()
    call_command("import_money", "budget-lines", str(file), "--sheet", "Begroting", "--decimal-comma", "--commit",
                 stdout=out)
    assert out.getvalue().splitlines() == ["sheet read: 'Begroting'",
                                           "decimal separator: comma (chosen for this import)",
                                           "1 row imported: 1 created, 0 updated, 0 unchanged."]
    assert BudgetLine.objects.get().amount == Decimal("12345")
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("import_money", "budget-lines", str(file), "--decimal-comma", "--decimal-point")


def test_the_command_line_says_a_file_with_only_the_column_names_has_no_rows(programme, tmp_path):
    file = tmp_path / "leeg.csv"
    file.write_bytes(csv_bytes(HEADER))
    with pytest.raises(CommandError) as refused:
        call_command("import_money", "budget-lines", str(file), "--commit")
    assert "no rows to import" in str(refused.value) and "0 rows imported" not in str(refused.value)
