"""Reading and writing the spreadsheets finance officers keep: XLSX and CSV as Excel writes them.

Reading is tolerant of what real files contain (a byte-order mark, `;` or `,` separators, Windows-1252 text,
Dutch or English number formats, dates as Excel dates or text, empty rows, a workbook whose data is on another
sheet than the first) and strict about values that are wrong: `parse_amount` and `parse_date` raise ValueError
with a message for the user. Writing makes every cell safe to open in Excel: text that a spreadsheet would run
as a formula is written as text.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell starting with one of these as a formula; such text is written with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (it counts a 29 February 1900 that never was)
# A sheet holds at most MAX_ROWS rows in Excel; more, or more cells than MAX_CELLS (the benchmark's 100k rows are
# 0.7 million), is refused before it exhausts the memory.
MAX_ROWS = 1_048_576
MAX_CELLS = 20_000_000
FORMULA_WITHOUT_VALUE = ("a formula without a computed value; open the file in a spreadsheet program and save it "
                         "again")


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not XLSX or CSV, no header row, …)."""


class _NoComputedValue:
    """The value of a formula cell that holds no computed value (a file written by a program, never opened)."""

    def __repr__(self):
        return "<formula without a computed value>"


NO_COMPUTED_VALUE = _NoComputedValue()


@dataclass
class Table:
    """The rows of a sheet under its header row, each with its row number in the spreadsheet (the header is 1)."""

    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    sheet: str = ""  # the sheet read, for an XLSX file

    def formulas_without_value(self) -> Iterator[tuple[int, int]]:
        """(row number, column index) of every formula cell without a computed value, in reading order."""
        for number, row in self.rows:
            for index, cell in enumerate(row):
                if cell is NO_COMPUTED_VALUE:
                    yield number, index


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> Table:
    """The rows of a CSV file, or of one sheet of an XLSX file (`sheet`, or the only one with data in it); rows
    with nothing in them are left out."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):  # an XLSX file is a zip archive
        workbook = _open_xlsx(data)
        try:
            chosen = _choose_sheet(workbook, sheet)
            return _table(_sheet_rows(workbook, chosen), chosen.title, workbook.sheetnames)
        finally:
            workbook.close()
    return _table(_csv_rows(data), "", [])


def _table(numbered: Iterable[tuple[int, list]], sheet: str, sheets: list[str]) -> Table:
    """The header row and the rows under it, cut to the header's width."""
    table = None
    for number, row in numbered:
        if all(_blank(cell) for cell in row):
            continue
        if table is None:
            table = Table(_header(number, row), sheet=sheet)
            width = len(table.headers)
            continue
        row = list(row[:width]) + [None] * (width - len(row))
        if any(not _blank(cell) for cell in row):
            table.rows.append((number, row))
            if len(table.rows) >= MAX_ROWS or len(table.rows) * width > MAX_CELLS:
                raise SpreadsheetError(f"The file is too large (more than {len(table.rows):,} rows of {width} "
                                       f"columns); split it.")
    if table is None:
        where = f"The sheet {sheet!r} is empty" if len(sheets) > 1 else "The file is empty"
        raise SpreadsheetError(f"{where}: the first row should name the columns.")
    return table


def _header(number: int, row: list) -> list[str]:
    if number != 1:
        raise SpreadsheetError(f"Row 1 is empty: the first row should name the columns (found them in row "
                               f"{number}).")
    for index, cell in enumerate(row):
        if cell is NO_COMPUTED_VALUE:
            raise SpreadsheetError(f"Row 1, column {get_column_letter(index + 1)}: {FORMULA_WITHOUT_VALUE}.")
    return [str(cell).strip() if not _blank(cell) else "" for cell in row]


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- XLSX -------------------------------------------------------------------------------------------------------
# What a damaged or hostile file raises while its XML is read (lazily, in read-only mode).
_XLSX_ERRORS = (InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, IndexError, OSError, EOFError,
                SyntaxError, TypeError, ValueError)


def _open_xlsx(data: bytes):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(f"This is not an XLSX file Excel can open ({exc}).") from exc


def _choose_sheet(workbook, wanted: str | None):
    """The sheet asked for; else the only sheet with data (or the only visible one: hidden sheets hold lists)."""
    sheets = workbook.worksheets
    names = ", ".join(repr(sheet.title) for sheet in sheets)
    if wanted and wanted.strip():
        for sheet in sheets:
            if sheet.title.strip().casefold() == wanted.strip().casefold():
                return sheet
        raise SpreadsheetError(f"This file has no sheet {wanted.strip()!r}; its sheets are {names}.")
    if len(sheets) == 1:
        return sheets[0]
    filled = [sheet for sheet in sheets if _has_data(workbook, sheet)]
    if len(filled) > 1:  # a hidden sheet holds the lists behind drop-downs, not the rows to import
        filled = [sheet for sheet in filled if sheet.sheet_state == "visible"] or filled
    if len(filled) == 1:
        return filled[0]
    if not filled:
        raise SpreadsheetError(f"The file is empty: none of its sheets ({names}) has anything in it.")
    raise SpreadsheetError(f"Several sheets have data ({', '.join(repr(sheet.title) for sheet in filled)}): "
                           f"choose the sheet to read (the sheet field on the import page, --sheet NAME on the "
                           f"command line).")


def _has_data(workbook, sheet) -> bool:
    """Whether any cell of the sheet holds something (reads up to the first such row only)."""
    return any(not all(_blank(cell) for cell in row) for _number, row in _sheet_rows(workbook, sheet))


class _ComputedValueReader(WorkSheetParser):
    """openpyxl's sheet parser (read-only, computed values), telling a formula without a value from a blank cell.

    openpyxl reads both as None. A formula that computed empty text has the type `str` and is blank; any other
    formula without a value was never computed (openpyxl and other libraries write formulas that way). The parser
    is openpyxl's internal one (pyproject pins openpyxl below 4.0); tests/finance/test_import_reading.py fails if
    it changes.
    """

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and cell["data_type"] != "str" and element.find(FORMULA_TAG) is not None:
            cell["value"] = NO_COMPUTED_VALUE
        return cell


def _sheet_rows(workbook, sheet) -> Iterator[tuple[int, list]]:
    """(row number, values) of the rows a sheet stores, read in one streaming pass."""
    # Reading the sheet's XML directly, rather than through iter_rows, sees the formulas and the computed values
    # in one pass, and does not pad every row to the sheet's declared size (which a file may overstate).
    try:
        with sheet._get_source() as source:
            reader = _ComputedValueReader(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                          date_formats=workbook._date_formats,
                                          timedelta_formats=workbook._timedelta_formats)
            for number, cells in reader.parse():
                values = [None] * max((cell["column"] for cell in cells), default=0)
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values
    except SpreadsheetError:
        raise
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(f"This XLSX file is damaged ({exc}).") from exc


# -- CSV --------------------------------------------------------------------------------------------------------
def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data[:1024]:
        raise SpreadsheetError("This is neither an XLSX nor a CSV file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" in the ANSI code page
    first_line = text.split("\n", 1)[0]
    # Dutch Excel separates with ';' (the comma is its decimal mark); English Excel with ','.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise SpreadsheetError(f"This CSV file cannot be read ({exc}).") from exc


# -- amounts ----------------------------------------------------------------------------------------------------
MARK_NAMES = {",": "comma", ".": "point"}


@dataclass(frozen=True)
class Notation:
    """A file's decimal separator (`,` or `.`; None when nothing settles it) and what settled it, for messages."""

    decimal_mark: str | None = None
    chosen: bool = False  # chosen for this import (the page, the command line) rather than read from the file
    row: int = 0  # or the first row whose amount shows it
    example: str = ""  # and that amount as written
    conflicting: bool = False  # unsettled because the file's amounts show both

    def reason(self) -> str:
        """Why amounts are read with this decimal separator, in a few words."""
        return "chosen for this import" if self.chosen else f"as in row {self.row}: {self.example!r}"

    def unsettled(self) -> str:
        """Why nothing settles the decimal separator, in a few words."""
        if self.conflicting:
            return "the file's other amounts use both separators"
        return "no other amount in the file shows which separator is the decimal one"


@dataclass(frozen=True)
class _Written:
    """An amount's text taken apart: the whole part's digits, the decimals, and the decimal separator it shows."""

    whole: str
    decimals: str = ""
    mark: str | None = None  # the decimal separator the text shows (1.234.567 implies a comma), None if none
    grouped: bool = False  # the mark is implied by a thousands separator, not written as a decimal separator
    ambiguous: bool = False  # one `,` or `.` before exactly three digits: thousands, or three decimals


_AMOUNT_TEXT = re.compile(r"\d+(?:[.,' ]\d+)*")
_SEPARATOR = re.compile(r"[.,' ]")
_OTHER_MARK = {",": ".", ".": ","}


def parse_amount(value, notation: Notation = Notation()) -> Decimal | None:
    """An amount from a cell: a number, or text in Dutch (`1.234,56`) or English (`1,234.56`) notation.

    Text has at most two decimals after its one decimal separator; `,`, `.`, a space or `'` group thousands in
    threes before it. One `,` or `.` before exactly three digits (`12,345`) can mean either; the file's notation
    decides (see `detect_notation`), and without one the amount is refused. Blank is None.
    """
    if _blank(value):
        return None
    amount = _read_amount(value, notation)
    if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
        raise ValueError(f"{value!r} is larger than an amount can be (at most {LARGEST_AMOUNT:,})")
    return amount


# What the money fields hold: twelve digits before the decimal separator.
LARGEST_AMOUNT = Decimal("999999999999.99")


def _read_amount(value, notation: Notation) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not an amount")
        if abs(value) > LARGEST_AMOUNT:  # checked first: cents of 1e300 are beyond Decimal's precision
            return Decimal(repr(value))
        return _excel_number(value)
    sign, text = _amount_text(value)
    written = _take_apart(text, value)
    if written.ambiguous:
        return Decimal(sign + _settle(written, notation, value))
    _check_notation(written, notation, value)
    return Decimal(sign + written.whole + ("." + written.decimals if written.decimals else ""))


def _excel_number(value: float) -> Decimal:
    exact = Decimal(repr(value))  # the shortest text that round-trips: 1234.56, not 1234.5599999…
    cents = exact.quantize(Decimal("0.01"))
    # A sum computed in Excel carries binary noise (0.1 + 0.2 = 0.30000000000000004): that is still 0.30.
    return cents if abs(exact - cents) < Decimal("0.000001") else exact


def _settle(written: _Written, notation: Notation, value) -> str:
    """The digits of `12,345` read with the file's decimal separator: thousands, or refused."""
    mark = notation.decimal_mark
    if mark is None:
        raise ValueError(f"{value!r} could be {written.whole}{written.decimals} (with {written.mark!r} grouping "
                         f"thousands) or {written.whole}.{written.decimals} (three decimals): {notation.unsettled()}; "
                         f"choose the decimal separator on the import page (or --decimal-comma or --decimal-point "
                         f"on the command line)")
    if mark == written.mark:
        raise ValueError(f"{value!r} has more than two decimals (the decimal separator is the {MARK_NAMES[mark]}, "
                         f"{notation.reason()})")
    return written.whole + written.decimals


def _check_notation(written: _Written, notation: Notation, value) -> None:
    """Refuse an amount that shows the other decimal separator than the file's."""
    mark = notation.decimal_mark
    if mark and written.mark and written.mark != mark:
        how = (f"groups thousands with a {MARK_NAMES[_OTHER_MARK[written.mark]]}" if written.grouped
               else f"is written with a decimal {MARK_NAMES[written.mark]}")
        raise ValueError(f"{value!r} {how}, but the decimal separator is the {MARK_NAMES[mark]} "
                         f"({notation.reason()})")


def shown_decimal_mark(value) -> str | None:
    """The decimal separator an amount's text shows on its own (`1.234,56`, `12,5`, `1.234.567`), or None."""
    if not isinstance(value, str):
        return None  # an Excel number has no notation
    try:
        written = _take_apart(_amount_text(value)[1], value)
    except ValueError:
        return None  # refused by parse_amount anyway
    return None if written.ambiguous else written.mark


def detect_notation(amounts: Iterable[tuple[int, object]]) -> Notation:
    """The decimal separator the amounts (row number, cell) show; SpreadsheetError if they show both."""
    first: dict[str, tuple[int, str]] = {}
    counts = {",": 0, ".": 0}
    for number, value in amounts:
        mark = shown_decimal_mark(value)
        if mark:
            counts[mark] += 1
            first.setdefault(mark, (number, value.strip()))
    if counts[","] and counts["."]:
        (comma_row, comma), (point_row, point) = first[","], first["."]
        amounts = {mark: f"{count} amount{'s' if count != 1 else ''}" for mark, count in counts.items()}
        raise SpreadsheetError(
            f"The amounts use both decimal separators: the comma in {amounts[',']} (the first in row {comma_row}: "
            f"{comma!r}) and the point in {amounts['.']} (the first in row {point_row}: {point!r}). Write them one "
            f"way, or choose the decimal separator on the import page (or --decimal-comma or --decimal-point on the "
            f"command line).")
    if not first:
        return Notation()
    ((mark, (number, example)),) = first.items()
    return Notation(mark, row=number, example=example)


def _amount_text(value) -> tuple[str, str]:
    """The sign and the rest of an amount's text, without a currency and with every space a plain space."""
    text = str(value).strip().replace("€", "").replace("EUR", "").strip()
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")  # no-break spaces; Swiss quote
    if text[:1] in ("+", "-"):
        return text[0], text[1:].strip()
    return "", text


def _take_apart(text: str, value) -> _Written:
    """Whole part, decimals and decimal separator of an amount's text; ValueError if it is not one."""
    if not _AMOUNT_TEXT.fullmatch(text):
        raise ValueError(f"{value!r} is not an amount (write it like 1234,56 or 1.234,56)")
    groups, separators = _SEPARATOR.split(text), _SEPARATOR.findall(text)
    if not separators:
        return _Written(text)
    last = separators[-1]
    if last in " '" or separators.count(last) > 1:  # a decimal separator comes once: these all group thousands
        _check_groups(groups, separators, value)
        return _Written("".join(groups), mark=_OTHER_MARK.get(last), grouped=last in _OTHER_MARK)
    whole, decimals = groups[:-1], groups[-1]
    if len(decimals) == 3 and len(whole) == 1 and _leads_a_group(whole[0]):
        return _Written(whole[0], decimals, mark=last, ambiguous=True)
    _check_groups(whole, separators[:-1], value)
    if len(decimals) > 2:
        raise ValueError(f"{value!r} has more than two decimals")
    return _Written("".join(whole), decimals, mark=last)


def _check_groups(groups: list[str], separators: list[str], value) -> None:
    """Thousands grouped as 1.234.567: one kind of separator, a first group of 1–3 digits, then threes."""
    if separators and (len(set(separators)) > 1 or not _leads_a_group(groups[0])
                       or any(len(group) != 3 for group in groups[1:])):
        raise ValueError(f"{value!r} is not an amount (write it like 1234,56 or 1.234,56)")


def _leads_a_group(digits: str) -> bool:
    # 0,001 or 1234,567 cannot be thousands: the separator there can only be a decimal one.
    return len(digits) <= 3 and not digits.startswith("0")


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(value) -> date | None:
    """A date from a cell: an Excel date, an Excel day number, or text as 2026-03-31 or 31-03-2026 (day first,
    with '-', '/' or '.'). Blank is None; anything else is refused."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or value != int(value) or not 1 <= value <= 2958465:  # 9999-12-31
            raise ValueError(f"{value!r} is not a date")
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    text = text.split(" ")[0] if re.fullmatch(r"\S+ 0?0:00(:00)?", text) else text  # "31-03-2026 00:00"
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (write it as 2026-03-31 or 31-03-2026)")


def safe_cell(value):
    """A cell that a spreadsheet shows as written and never runs: formula-like text gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(headers: list[str], rows) -> str:
    """CSV text (comma-separated, UTF-8 with a BOM so Excel reads the accents) with formula-safe cells."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def write_xlsx(headers: list[str], rows, title: str = "Sheet") -> bytes:
    """An XLSX workbook of one sheet: numbers and dates as such, text always as text (never a formula)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value):
    if not isinstance(value, str):
        return value
    # openpyxl stores "=…" as a formula; typed as a string the cell is shown as written, never run.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
