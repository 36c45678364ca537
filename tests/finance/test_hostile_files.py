"""Spreadsheets made to harm the server (issue 12, items 8, 9 and 11): each is refused with a message saying why,
before the work is done and within a bounded memory; values that are no numbers are row errors; nothing is saved.

The memory test reads every hostile file of tests/hostile_files.py in a child process whose address space is limited
to 512 MB (resource.RLIMIT_AS): a reader that padded rows to a declared size, inflated a zip bomb or expanded
entities would fail there with a MemoryError instead of answering.
"""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from programme_tracker.accounts import roles
from programme_tracker.finance.imports import import_money
from programme_tracker.finance.models import BudgetLine
from programme_tracker.finance.spreadsheet import ImportLimits, SpreadsheetError, parse_amount, parse_date, read_table
from tests import hostile_files
from tests.desk.conftest import log_in
from tests.finance.test_import_browser import jobs_in_the_web_process  # noqa: F401  (the live server's jobs, no Redis)
from tests.hostile_files import HEADER_ROW, MAIN, SHEET, run_limited, sheet_xml, with_parts, with_sheet, workbook

LIMIT = 512 * hostile_files.MEGABYTE


BUILDERS = {"xlsx": hostile_files.hostile_xlsx, "csv": hostile_files.hostile_csv,
            "sound xlsx": hostile_files.large_but_sound_xlsx}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The hostile and the large-but-sound files, built once and written to a folder: (kind, name) → (path, what
    reading it says)."""
    folder = tmp_path_factory.mktemp("hostile")
    built = {}
    for kind, builder in BUILDERS.items():
        for number, (name, (build, expected)) in enumerate(builder().items()):
            path = folder / f"{kind.replace(' ', '-')}-{number}.{kind.split()[-1]}"
            path.write_bytes(build())
            built[kind, name] = (path, expected)
    return built


def cases(*kinds: str) -> list:
    return [pytest.param((kind, name), id=f"{kind}: {name}") for kind in kinds for name in BUILDERS[kind]()]


@pytest.mark.sweep
@pytest.mark.parametrize("case", cases("xlsx", "csv"))
def test_every_hostile_file_is_refused_within_512_mb(files, case):
    name = case[1]
    path, expected = files[case]
    code, output, (resident, address_space) = run_limited("spreadsheet", path, LIMIT)
    assert code == 0, output  # a MemoryError (or any traceback) ends the child with 1
    assert output.startswith("refused: ") and expected in output, output
    print(f"{name}: {path.stat().st_size:,} bytes, peak {resident // 1024} MB resident, "
          f"{address_space // 1024} MB address space")


@pytest.mark.sweep
@pytest.mark.parametrize("case", cases("sound xlsx"))
def test_large_but_sound_workbooks_are_read_within_512_mb(files, case):
    name = case[1]
    path, expected = files[case]
    code, output, (resident, _address_space) = run_limited("spreadsheet", path, LIMIT)
    assert code == 0 and output == expected, output
    print(f"{name}: peak {resident // 1024} MB resident")


def test_the_xml_of_workbooks_is_read_with_defusedxml(monkeypatch):
    assert openpyxl.DEFUSEDXML  # openpyxl's own parsing (the workbook part): no entities, no DTD
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(SpreadsheetError, match="cannot be read safely on this server"):
        read_table(workbook(), "budget.xlsx")


# -- the limits are the site's settings -------------------------------------------------------------------------
def test_the_limits_are_site_settings(settings):
    settings.IMPORT_MAX_MEGABYTES, settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS = 1, 2, 3
    assert ImportLimits.from_settings() == ImportLimits(1024 * 1024, 2, 3)
    header = "programme;fiscal year;amount\n"
    assert len(read_table((header + "HELPLINE;2026;1\n" * 2).encode()).rows) == 2
    with pytest.raises(SpreadsheetError, match="more than 2 rows under the row naming the columns"):
        read_table((header + "HELPLINE;2026;1\n" * 3).encode())
    with pytest.raises(SpreadsheetError, match="Row 1 has a value in column D"):
        read_table(b"programme;fiscal year;amount;remark\n")
    assert read_table(b"programme;fiscal year;amount;;;;\nHELPLINE;2026;1;;;\n").headers == [
        "programme", "fiscal year", "amount"]  # trailing empty cells are no columns
    with pytest.raises(SpreadsheetError, match="The file is 1.0 MB, larger than the 1 MB an import reads"):
        read_table(header.encode() + b"x" * 1024 * 1024)


def test_the_command_line_refuses_a_file_too_large_before_reading_it(settings, tmp_path, programme):
    settings.IMPORT_MAX_MEGABYTES = 1
    file = tmp_path / "big.csv"
    file.write_bytes(b"programme;fiscal year;amount\n" + b"HELPLINE;2026;1\n" * 70_000)
    with pytest.raises(CommandError, match=r"big.csv: The file is 1.1 MB, larger than the 1 MB an import reads"):
        call_command("import_money", "budget-lines", str(file), "--no-progress")


def test_the_import_refuses_a_hostile_file_as_a_file_problem_and_saves_nothing(programme):
    report = import_money("budget-lines", hostile_files.zip_bomb(), "budget.xlsx", commit=True)
    assert [str(problem) for problem in report.errors] == [
        "file: This XLSX file unpacks to 1,024 MB, more than the 250 MB an import reads; split it into smaller files."]
    assert not report.committed and not BudgetLine.objects.exists()


# -- malformed XLSX: file errors naming the place, or row errors ---------------------------------------------------
def numbers_sheet(value: str, kind: str = "n") -> bytes:
    return with_sheet(f'<row r="2"><c r="A2" t="inlineStr"><is><t>HELPLINE</t></is></c><c r="B2"><v>2026</v></c>'
                      f'<c r="C2" t="{kind}"><v>{value}</v></c></row>')


@pytest.mark.parametrize(("value", "message"), [
    ("NaN", "row 2, column 'amount': nan is not an amount"),
    ("1e309", "row 2, column 'amount': inf is not an amount"),
    ("-1e309", "row 2, column 'amount': -inf is not an amount"),
    ("1e300", "row 2, column 'amount': 1e+300 is larger than an amount can be (at most 999,999,999,999.99)"),
])
def test_numbers_that_are_not_amounts_are_row_errors(programme, value, message):
    report = import_money("budget-lines", numbers_sheet(value), "budget.xlsx", commit=True)
    assert [str(problem) for problem in report.errors] == [message]
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize(("value", "kind", "message"), [
    ("abc", "n", "cell C2 of row 2 cannot be read (invalid literal for int() with base 10: 'abc')"),
    ("1.5e", "n", "cell C2 of row 2 cannot be read (could not convert string to float: '1.5e')"),
    ("1" * 5000, "n", "cell C2 of row 2 cannot be read (Exceeds the limit (4300 digits)"),
    ("7", "s", "cell C2 of row 2 cannot be read (list index out of range)"),
    ("x", "b", "cell C2 of row 2 cannot be read (invalid literal for int() with base 10: 'x')"),
    ("2026-02-30", "d", "cell C2 of row 2 cannot be read"),
])
def test_a_cell_that_cannot_be_read_is_a_file_error_naming_it(programme, value, kind, message):
    report = import_money("budget-lines", numbers_sheet(value, kind), "budget.xlsx")
    assert len(report.errors) == 1 and report.errors[0].row == 0
    assert str(report.errors[0]).startswith("file: This XLSX file is damaged: " + message), report.errors


@pytest.mark.parametrize(("change", "message"), [
    (lambda data: with_parts(data, {SHEET: sheet_xml(HEADER_ROW + '<row r="1"/>')}),
     "The sheet 'Sheet' of this XLSX file is damaged: row 1 comes after row 1."),
    (lambda data: with_parts(data, {SHEET: sheet_xml('<row r="0"><c><v>1</v></c></row>')}),
     "The sheet 'Sheet' of this XLSX file is damaged: it has a row numbered 0."),
    (lambda data: with_parts(data, {SHEET: sheet_xml('<row r="x"/>')}),
     "The sheet 'Sheet' of this XLSX file is damaged (could not convert string to float: 'x')."),
    (lambda data: with_parts(data, {"xl/workbook.xml": "<workbook"}), "This XLSX file is damaged (unclosed token"),
    (lambda data: with_parts(data, {"xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><cellXfs><xf numFmtId="x"/>'
                                                     "</cellXfs></styleSheet>"}),
     "This XLSX file is damaged (invalid literal for int() with base 10: 'x')."),
    (lambda data: data[:len(data) // 2], "This is not an XLSX file Excel can open"),
    (lambda data: zipfile_without(data, SHEET), "This XLSX file has no worksheet."),
    (lambda data: with_parts(data, {"xl/workbook.xml": re.sub(
        "<sheets>.*</sheets>", '<sheets><sheet name="A" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" '
        'r:id="rId1"/></sheets>', zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode())}),
     "This XLSX file is damaged: its sheets 'A' and 'B' are one part."),
])
def test_damaged_workbooks_are_file_errors(programme, change, message):
    report = import_money("budget-lines", change(workbook()), "budget.xlsx")
    assert [problem.row for problem in report.errors] == [0]
    assert report.errors[0].message.startswith(message), report.errors


def zipfile_without(data: bytes, name: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
    return out.getvalue()


def test_a_sheet_that_declares_every_column_is_read_as_stored(programme):
    """Rows padded with formatted empty cells up to column XFD, and a dimension that says A1:XFD1048576."""
    data = with_sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>HELPLINE</t></is></c><c r="B2"><v>2026</v></c>'
                      '<c r="C2"><v>1250</v></c><c r="XFD2" s="0"/></row>', dimension="A1:XFD1048576")
    report = import_money("budget-lines", data, "budget.xlsx", commit=True)
    assert report.committed, report.errors
    assert BudgetLine.objects.get().amount == Decimal("1250")


def test_dates_of_a_workbook_are_read_by_their_cell_style(programme):
    """The styles are read as a stream (not openpyxl's stylesheet); a date-formatted number is a date."""
    data = with_parts(workbook([["funding period", "reference", "paid on", "amount"]]), {
        SHEET: sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>funding period</t></is></c><c r="B1" '
                         't="inlineStr"><is><t>reference</t></is></c><c r="C1" t="inlineStr"><is><t>paid on</t></is>'
                         '</c><c r="D1" t="inlineStr"><is><t>amount</t></is></c></row><row r="2"><c r="A2" '
                         't="inlineStr"><is><t>HELPLINE-2025</t></is></c><c r="B2" t="inlineStr"><is><t>B-1</t></is>'
                         '</c><c r="C2" s="1"><v>46053</v></c><c r="D2"><v>10</v></c></row>'),
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
                         'formatCode="dd\\-mm\\-yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf '
                         'numFmtId="164"/></cellXfs></styleSheet>'})
    table = read_table(data, "payments.xlsx")
    assert str(table.rows[0][1][2]) == "2026-01-31 00:00:00"


# -- text that is not a number --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["١٢٣", "١٬٢٣٤٫٥٦", "１２３", "12३", "٣,٥"])
def test_arabic_indic_and_other_digits_are_not_amounts(text):
    with pytest.raises(ValueError, match="is not an amount: write it with the digits 0-9"):
        parse_amount(text)


def test_arabic_indic_digits_are_refused_in_amounts_dates_and_years(programme):
    csv = "programme;fiscal year;kind;amount;revised on\n" \
          "HELPLINE;٢٠٢٦;;1000;\nHELPLINE;2027;;١٢٣;\nHELPLINE;2028;revised;5;٢٠٢٦-٠٣-٣١\n"
    report = import_money("budget-lines", csv.encode(), "budget.csv", commit=True)
    assert [str(problem) for problem in report.errors] == [
        "row 2, column 'fiscal year': '٢٠٢٦' is not a year",
        "row 3, column 'amount': '١٢٣' is not an amount: write it with the digits 0-9 (like 1234,56 or 1.234,56)",
        "row 4, column 'revised on': '٢٠٢٦-٠٣-٣١' is not a date: write it with the digits 0-9, as 2026-03-31 or "
        "31-03-2026",
        "row 4, column 'revised on': Give the date of the revision.",
    ]
    assert not BudgetLine.objects.exists()
    with pytest.raises(ValueError, match="not a date"):
        parse_date("٣١-٠٣-٢٠٢٦")


# -- CSV encodings --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "encoding"), [
    ("programme;fiscal year;amount;note\nHELPLINE;2026;1;café\n".encode(), "UTF-8"),
    ("programme;fiscal year;amount;note\nHELPLINE;2026;1;café\n".encode("utf-8-sig"), "UTF-8"),
    ("programme;fiscal year;amount;note\nHELPLINE;2026;1;café – €\n".encode("cp1252"), "Windows-1252"),
])
def test_the_encoding_a_csv_file_is_read_in_is_said(data, encoding):
    table = read_table(data, "budget.csv")
    assert table.encoding == encoding
    assert table.rows[0][1][3].startswith("café")


@pytest.mark.parametrize(("data", "message"), [
    (b"programme;amount\nHELPLINE;1\x81\n", "This CSV file is neither UTF-8 nor Windows-1252 text (byte 0x81 on "
                                            "line 2 is neither); save it as \"CSV UTF-8\"."),
    (b"\xef\xbb\xbfprogramme;amount\n\nX;caf\xe9\n", "This CSV file starts as UTF-8 (with a byte-order mark), but "
                                                     "byte 0xE9 on line 3 is not UTF-8; save it as \"CSV UTF-8\"."),
    ("programme\tamount\n".encode("utf-16"), "This file is UTF-16 text (Excel's \"Unicode text\"); save it as "
                                             "\"CSV UTF-8\" or as XLSX."),
])
def test_a_csv_file_in_another_encoding_is_refused_saying_where(data, message):
    with pytest.raises(SpreadsheetError) as refused:
        read_table(data, "budget.csv")
    assert str(refused.value) == message


def test_csv_lines_split_as_excel_writes_them():
    data = b'programme;fiscal year;amount;note\r\nHELPLINE;2026;1;"two\r\nlines"\rHELPLINE;2027;2;x\nHELPLINE;2028;3'
    table = read_table(data, "budget.csv")
    assert [(number, row[1], row[3]) for number, row in table.rows] == [
        (2, "2026", "two\r\nlines"), (3, "2027", "x"), (4, "2028", None)]


# -- the import page, in a real browser ---------------------------------------------------------------------------
@pytest.mark.usefixtures("jobs_in_the_web_process")
def test_the_page_says_how_a_csv_file_was_read_and_refuses_a_zip_bomb(live_server, page, accounts, programme):
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    for name, data in [("begroting.csv", "Programme;Fiscal year;Amount;Note\nHELPLINE;2026;1.250,00;café – €\n"
                                         .encode("cp1252")),
                       ("begroting.xlsx", hostile_files.zip_bomb())]:
        page.goto(f"{live_server.url}/desk/finance/import/")
        page.select_option("#id_kind", "budget-lines")
        page.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/octet-stream",
                                                 "buffer": data}])
        page.click("#import-preview")
        if name.endswith(".csv"):
            assert "Read as Windows-1252 text." in page.locator("#import-reading").inner_text()
            assert "1 to create" in page.locator("#import-summary").inner_text()
        else:
            assert ("This XLSX file unpacks to 1,024 MB, more than the 250 MB an import reads"
                    in page.locator("#import-errors").inner_text())
            assert page.locator("#import-commit").count() == 0
    assert not BudgetLine.objects.exists()
