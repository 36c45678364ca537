"""Reading and writing the spreadsheets finance officers keep: XLSX and CSV as Excel writes them.

Reading is tolerant of what real files contain (a byte-order mark, `;` or `,` separators, Windows-1252 text,
Dutch or English number formats, dates as Excel dates or text, empty rows) and strict about values that are
wrong: `parse_amount` and `parse_date` raise ValueError with a message for the user. Writing makes every cell
safe to open in Excel: text that a spreadsheet would run as a formula is written as text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell starting with one of these as a formula; such text is written with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (it counts a 29 February 1900 that never was)


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not XLSX or CSV, no header row, …)."""


@dataclass
class Table:
    """The rows of a sheet under its header row, each with its row number in the spreadsheet (the header is 1)."""

    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


def read_table(data: bytes, filename: str = "") -> Table:
    """The first sheet of an XLSX file or the rows of a CSV file; rows with nothing in them are left out."""
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")  # an XLSX file is a zip archive
    cells = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    numbered = [(number, row) for number, row in enumerate(cells, start=1) if any(not _blank(c) for c in row)]
    if not numbered:
        raise SpreadsheetError("The file is empty: the first row should name the columns.")
    header_number, header = numbered[0]
    if header_number != 1:
        raise SpreadsheetError(f"Row 1 is empty: the first row should name the columns (found them in row "
                               f"{header_number}).")
    headers = [str(cell).strip() if not _blank(cell) else "" for cell in header]
    width = len(headers)
    table = Table(headers)
    for number, row in numbered[1:]:
        row = list(row)[:width] + [None] * (width - len(row))
        if any(not _blank(cell) for cell in row):
            table.rows.append((number, row))
    return table


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _xlsx_rows(data: bytes) -> list[tuple]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SpreadsheetError(f"This is not an XLSX file Excel can open ({exc}).") from exc
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:1024]:
        raise SpreadsheetError("This is neither an XLSX nor a CSV file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" in the ANSI code page
    first_line = text.split("\n", 1)[0]
    # Dutch Excel separates with ';' (the comma is its decimal mark); English Excel with ','.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# -- values ----------------------------------------------------------------------------------------------------
_GROUPED = re.compile(r"^\d{1,3}([.,  ']\d{3})+$")  # 1.234.567 or 1,234,567 or 1 234 567 (no decimals)


def parse_amount(value) -> Decimal | None:
    """An amount from a cell: a number, or text in Dutch (`1.234,56`) or English (`1,234.56`) notation.

    A mark followed by exactly three digits groups thousands, by one or two digits it is the decimal mark:
    amounts have cents, never tenths of cents, so `1.234` and `1,234` both mean one thousand two hundred and
    thirty-four. Blank is None; anything else that is not a number is refused.
    """
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        exact = Decimal(repr(value))  # the shortest text that round-trips: 1234.56, not 1234.5599999…
        cents = exact.quantize(Decimal("0.01"))
        # A sum computed in Excel carries binary noise (0.1 + 0.2 = 0.30000000000000004): that is still 0.30.
        return cents if abs(exact - cents) < Decimal("0.000001") else exact
    text = str(value).strip().replace("€", "").replace("EUR", "").strip().replace("\u00a0", " ")
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].strip()
    if _GROUPED.match(text):
        number = re.sub(r"\D", "", text)
    else:
        marks = [(i, ch) for i, ch in enumerate(text) if ch in ".,"]
        if not re.fullmatch(r"[\d.,  ']+", text) or not text[0].isdigit() or not text[-1].isdigit():
            raise ValueError(f"{value!r} is not an amount (write it like 1234,56 or 1.234,56)")
        position, mark = marks[-1] if marks else (len(text), "")
        whole, cents = text[:position], text[position + 1:]
        if marks and re.search(r"\D", whole) and (not _GROUPED.match(whole) or mark in whole):
            raise ValueError(f"{value!r} is not an amount (write it like 1234,56 or 1.234,56)")
        if marks and len(cents) > 2:
            raise ValueError(f"{value!r} has more than two decimals")
        number = re.sub(r"\D", "", whole) + ("." + cents if marks else "")
    try:
        return Decimal(sign + number)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount") from exc


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
        if value != int(value) or not 1 <= value <= 2958465:  # 9999-12-31
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
