"""Reading and writing the spreadsheets finance officers keep: XLSX and CSV as Excel writes them.

Reading is tolerant of what real files contain (a byte-order mark, `;` or `,` separators, Windows-1252 text,
Dutch or English number formats, dates as Excel dates or text, empty rows, a workbook whose data is on another
sheet than the first) and strict about values that are wrong: `parse_amount` and `parse_date` raise ValueError
with a message for the user. Writing makes every cell safe to open in Excel: text that a spreadsheet would run
as a formula is written as text.

Reading is also guarded against files made to harm the server (issue 12): a file larger than the site's
`import_max_megabytes`, with more rows than `import_max_rows` or values beyond `import_max_columns`, is refused
while it is read, before the rows are kept; an XLSX file is checked in its zip directory before any part is
unpacked (compression methods, how large its parts unpack), its XML is parsed with defusedxml (no DTD, no
entities) and in a stream that keeps one row at a time, and every parsing error is a file error naming the
part or cell. A CSV file is UTF-8, or Windows-1252 when it decodes cleanly as that, and its lines are bounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
from defusedxml import ElementTree as DefusedElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell starting with one of these as a formula; such text is written with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (it counts a 29 February 1900 that never was)
# Besides the site's limits on rows and columns (ImportLimits), a table of more cells than this is refused before it
# exhausts the memory (the benchmark's 100k rows are 0.7 million; 250,000 rows of 10 columns are 2.5 million).
MAX_CELLS = 2_500_000
MEGABYTE = 1024 * 1024
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
    encoding: str = ""  # how the text of a CSV file was decoded: "UTF-8" or "Windows-1252"

    def formulas_without_value(self) -> Iterator[tuple[int, int]]:
        """(row number, column index) of every formula cell without a computed value, in reading order."""
        for number, row in self.rows:
            for index, cell in enumerate(row):
                if cell is NO_COMPUTED_VALUE:
                    yield number, index


@dataclass(frozen=True)
class ImportLimits:
    """How much an import reads: the file's size in bytes, the rows under its header row and its columns.

    The site settings `import_max_megabytes`, `import_max_rows` and `import_max_columns`; a file beyond them is
    refused with a message saying which, before its rows are kept.
    """

    max_bytes: int
    max_rows: int
    max_columns: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        """The limits of this site."""
        return cls(settings.IMPORT_MAX_MEGABYTES * MEGABYTE, settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS)


def check_file_size(size: int, limits: ImportLimits | None = None) -> None:
    """Refuse a file of `size` bytes when it is larger than an import reads (call it before reading the file)."""
    limits = limits or ImportLimits.from_settings()
    if size > limits.max_bytes:
        raise SpreadsheetError(_("The file is %(size)s MB, larger than the %(limit)s MB an import reads; split it "
                                 "into smaller files.") % {"size": f"{size / MEGABYTE:,.1f}",
                                                           "limit": f"{limits.max_bytes / MEGABYTE:,.0f}"})


def read_table(data: bytes, filename: str = "", sheet: str | None = None,
               progress: Callable[[int], None] | None = None, limits: ImportLimits | None = None) -> Table:
    """The rows of a CSV file, or of one sheet of an XLSX file (`sheet`, or the only one with data in it); rows
    with nothing in them are left out. `progress` is told the number of rows read so far, every 1000 rows.

    A file beyond the site's import limits (or `limits`) is refused with SpreadsheetError, as is one that cannot
    be read; nothing else is raised for anything a file holds.
    """
    limits = limits or ImportLimits.from_settings()
    check_file_size(len(data), limits)
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):  # an XLSX file is a zip archive
        workbook = _open_xlsx(data, limits)
        try:
            chosen = _choose_sheet(workbook, sheet)
            return _table(_counted(_sheet_rows(workbook, chosen), progress), chosen.title, workbook.sheetnames,
                          limits)
        finally:
            workbook.close()
    text, encoding = _decode_csv(data)
    table = _table(_counted(_csv_rows(text, limits), progress), "", [], limits)
    table.encoding = encoding
    return table


def _counted(numbered: Iterator[tuple[int, list]], progress: Callable[[int], None] | None):
    """The rows as they are read, telling `progress` how many have been read every 1000 rows (for a progress bar)."""
    if progress is None:
        yield from numbered
        return
    for count, numbered_row in enumerate(numbered, start=1):
        if count % 1000 == 0:
            progress(count)
        yield numbered_row


def _table(numbered: Iterable[tuple[int, list]], sheet: str, sheets: list[str], limits: ImportLimits) -> Table:
    """The header row and the rows under it, cut to the header's width; refused beyond the import limits."""
    table = None
    for number, row in numbered:
        if number > limits.max_rows + 1:  # counted by row number, so that empty rows cannot make the work endless
            raise SpreadsheetError(_("The file has more than %(rows)s rows under the row naming the columns (it goes "
                                     "on to row %(number)s); an import reads at most %(rows)s: split it into smaller "
                                     "files.") % {"rows": f"{limits.max_rows:,}", "number": f"{number:,}"})
        filled = _width(row)
        if filled > limits.max_columns:
            raise SpreadsheetError(_("Row %(row)s has a value in column %(column)s; an import reads at most "
                                     "%(columns)s columns: remove the columns it does not need.")
                                   % {"row": number, "column": _column_name(filled), "columns": limits.max_columns})
        if not filled:
            continue
        if table is None:
            table = Table(_header(number, row[:filled]), sheet=sheet)
            width = len(table.headers)
            continue
        row = list(row[:width]) + [None] * (width - len(row))
        if any(not _blank(cell) for cell in row):
            table.rows.append((number, row))
            if len(table.rows) * width > MAX_CELLS:
                raise SpreadsheetError(_("The file has more than %(cells)s cells in its %(columns)s named columns (at "
                                         "row %(row)s); split it into smaller files.")
                                       % {"cells": f"{MAX_CELLS:,}", "columns": width, "row": f"{number:,}"})
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


def _width(row: list) -> int:
    """How many columns the row fills: up to its last cell that is not blank (trailing blank cells do not count)."""
    for index in range(len(row) - 1, -1, -1):
        if not _blank(row[index]):
            return index + 1
    return 0


def _column_name(number: int) -> str:
    """A column as a spreadsheet names it (AB), with its number when that is not obvious (column 28)."""
    try:
        return f"{get_column_letter(number)} (column {number:,})"
    except ValueError:  # beyond what a spreadsheet can name: only a CSV line gets so long
        return f"{number:,}"


def _shown(value, limit: int = 60) -> str:
    """A value as a message quotes it, cut short: a hostile file can put megabytes in one cell."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# -- XLSX -------------------------------------------------------------------------------------------------------
# How far an XLSX file may unpack, besides the site's limits (ImportLimits). A real workbook has a few dozen parts;
# the parts other than its sheets, shared strings and styles (the parts list, the workbook, relations) are small,
# and openpyxl reads each whole into memory; sheets, shared strings and styles are read as a stream (_elements), one
# row at a time.
MAX_PARTS = 10_000
MAX_PART_BYTES = 4 * MEGABYTE
MAX_STYLES_BYTES = 16 * MEGABYTE  # read as a stream too: a workbook with thousands of styles has a few MB of them
UNPACKED_PER_PACKED = 10  # all parts together unpack to at most 10 times the largest file an import reads
# While a part streams in: no tag or text longer than this (Excel's longest cell text is 32,767 characters), and no
# row (or shared string, or style) of more bytes or elements than these.
MAX_TOKEN_BYTES = MEGABYTE
MAX_ROW_BYTES = 16 * MEGABYTE
MAX_ROW_ELEMENTS = 100_000
MAX_SHEETS = 1_000
_STRING_TAG, _TEXT_TAG, _RUN_TAG = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
_FORMATS_TAG, _FORMAT_TAG, _CELL_STYLES_TAG, _CELL_STYLE_TAG = (f"{{{SHEET_MAIN_NS}}}{tag}"
                                                                for tag in ("numFmts", "numFmt", "cellXfs", "xf"))

# What a damaged or hostile file raises while its zip directory and XML are read (DTDs and entities are refused by
# defusedxml with a DefusedXmlException, a ValueError; badly formed XML is a ParseError, a SyntaxError).
_XLSX_ERRORS = (InvalidFileException, zipfile.BadZipFile, zlib.error, struct.error, LookupError, OSError, EOFError,
                SyntaxError, TypeError, ValueError, AttributeError, ArithmeticError, RuntimeError)


def _open_xlsx(data: bytes, limits: ImportLimits):
    """The workbook (read-only, computed values) of an XLSX file whose zip directory passes `_Archive`'s checks."""
    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment, or defusedxml missing
        raise SpreadsheetError(_("XLSX files cannot be read safely on this server (openpyxl is not using "
                                 "defusedxml); ask the administrator, or import the file as CSV."))
    try:
        archive = _Archive(data, limits)
    except SpreadsheetError:
        raise
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(_("This is not an XLSX file Excel can open (%(reason)s).") % {"reason": exc}) from exc
    try:
        return _WorkbookReader(archive).read()
    except SpreadsheetError:
        archive.close()
        raise
    except _XLSX_ERRORS as exc:
        archive.close()
        raise SpreadsheetError(_xml_problem(exc)) from exc


def _xml_problem(exc: Exception, where: str = "") -> str:
    """The message for an error raised while an XLSX file's XML is read."""
    where = where or _("This XLSX file")
    if isinstance(exc, DefusedXmlException):
        return _("%(where)s declares XML entities or a document type, which spreadsheet programs never write; it is "
                 "refused, as they can make a file read other files or grow without end.") % {"where": where}
    return _("%(where)s is damaged (%(reason)s).") % {"where": where, "reason": str(exc)[:200]}


def _zip_entries(data: bytes) -> int:
    """How many parts a zip archive's end record says its directory lists (0 when there is no end record)."""
    # Read before zipfile reads the directory: it makes an object of every entry, and a directory of tiny entries
    # could list millions.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        return 0
    entries = struct.unpack_from("<H", data, end + 10)[0]
    locator = end - 20
    if entries == 0xFFFF and locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":  # zip64
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[record:record + 4] == b"PK\x06\x06":
            entries = struct.unpack_from("<Q", data, record + 32)[0]
    return entries


class _Archive(zipfile.ZipFile):
    """The zip archive of an XLSX file, checked in its directory before any part is unpacked.

    Refused: more than MAX_PARTS parts, a compression method Excel does not use (bzip2 and LZMA inflate without
    a bound in one step), encrypted parts, and parts that unpack to more than UNPACKED_PER_PACKED times the import's
    size limit in all. zipfile stops every part at the size the directory gives it (a part that lies fails its
    checksum), and `open` refuses to unpack a part not streamed (`stream`: sheets, shared strings, styles) beyond
    MAX_PART_BYTES.
    """

    def __init__(self, data: bytes, limits: ImportLimits):
        if _zip_entries(data) > MAX_PARTS:
            raise SpreadsheetError(_("This XLSX file has more than %(parts)s parts; a workbook has a few dozen. It is "
                                     "refused.") % {"parts": f"{MAX_PARTS:,}"})
        super().__init__(io.BytesIO(data))
        self.limits = limits
        unpacked = 0
        for info in self.infolist():
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise SpreadsheetError(_("This XLSX file stores its part %(part)s with a compression method Excel "
                                         "does not use; save it again in Excel.") % {"part": _shown(info.filename)})
            if info.flag_bits & 0x1:
                raise SpreadsheetError(_("This XLSX file is encrypted; save it without a password."))
            unpacked += info.file_size
        most = UNPACKED_PER_PACKED * limits.max_bytes
        if unpacked > most:
            raise SpreadsheetError(_("This XLSX file unpacks to %(size)s MB, more than the %(limit)s MB an import "
                                     "reads; split it into smaller files.")
                                   % {"size": f"{unpacked / MEGABYTE:,.0f}", "limit": f"{most / MEGABYTE:,.0f}"})
        self.streaming = False

    def open(self, name, mode="r", pwd=None, **kwargs):
        """A part, refused when it is not streamed (`stream`) and unpacks beyond MAX_PART_BYTES."""
        if mode == "r":
            info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
            if not self.streaming and info.file_size > MAX_PART_BYTES:
                raise SpreadsheetError(_("This XLSX file's part %(part)s unpacks to %(size)s MB; a workbook's %(part)s "
                                         "is far smaller. It is refused.")
                                       % {"part": _shown(info.filename), "size": f"{info.file_size / MEGABYTE:,.0f}"})
        return super().open(name, mode, pwd, **kwargs)

    def stream(self, name: str, limit: int | None = None):
        """A sheet, the shared strings or the styles, to be read by `_elements` (refused beyond `limit` bytes)."""
        info = self.getinfo(name)
        if limit is not None and info.file_size > limit:
            raise SpreadsheetError(_("This XLSX file's part %(part)s unpacks to %(size)s MB, more than the %(limit)s "
                                     "MB an import reads of it; split the file into smaller ones.")
                                   % {"part": _shown(name), "size": f"{info.file_size / MEGABYTE:,.0f}",
                                      "limit": f"{limit / MEGABYTE:,.0f}"})
        self.streaming = True
        try:
            return self.open(info)
        finally:
            self.streaming = False


class _WorkbookReader(ExcelReader):
    """openpyxl's workbook reader, reading only what an import needs, and the shared strings as a stream.

    It reads the parts list, the workbook (its sheets and date system) and, of the styles, which cells show dates;
    not the document properties, theme, defined names or external links; of the sheets only the worksheets (not
    chart sheets), as read-only sheets whose rows `_sheet_rows` streams. openpyxl's internals (pyproject pins it
    below 4.0); tests/finance/test_hostile_files.py fails if they change.
    """

    def __init__(self, archive: _Archive):
        self.archive = archive
        self.valid_files = archive.namelist()
        self.read_only = self.data_only = True
        self.keep_vba = self.keep_links = self.rich_text = False
        self.shared_strings = []

    def read(self):
        """The workbook (openpyxl's ReadOnlyWorkbook), its archive left open for the sheets."""
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        self.read_date_styles()
        self.read_worksheets()
        return self.wb

    def read_date_styles(self):
        """Which cell styles show a date or a duration (all an import needs of the styles), read as a stream.

        openpyxl's stylesheet would make objects of every style, some 50 times the XML's size in memory, and a
        file can hold millions. The same reading as openpyxl's Stylesheet._normalise_numbers.
        """
        self.wb._date_formats, self.wb._timedelta_formats = set(), set()
        if ARC_STYLE not in self.valid_files:
            return
        custom, index = {}, 0
        with self.archive.stream(ARC_STYLE, limit=MAX_STYLES_BYTES) as source:
            for depth, parent, element in _elements(source, ARC_STYLE):
                if depth != 2:
                    continue
                if parent.tag == _FORMATS_TAG and element.tag == _FORMAT_TAG:
                    custom[int(element.get("numFmtId"))] = element.get("formatCode")
                elif parent.tag == _CELL_STYLES_TAG and element.tag == _CELL_STYLE_TAG:
                    number = int(element.get("numFmtId", 0))
                    code = custom[number] if number in custom else builtin_format_code(number)
                    if is_date_format(code):
                        self.wb._date_formats.add(index)
                    if is_timedelta_format(code):
                        self.wb._timedelta_formats.add(index)
                    index += 1

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        name = part.PartName[1:]
        with self.archive.stream(name, limit=self.archive.limits.max_bytes) as source:
            for depth, _parent, element in _elements(source, name):
                if depth == 1 and element.tag == _STRING_TAG:
                    self.shared_strings.append(_shared_text(element))

    def read_worksheets(self):
        parts: dict[str, str] = {}
        for sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and relation.Type.endswith("/worksheet"):
                if relation.target in parts:  # each would be read in full to find the one with data
                    raise SpreadsheetError(_("This XLSX file is damaged: its sheets %(first)s and %(second)s are one "
                                             "part.") % {"first": _shown(parts[relation.target]),
                                                         "second": _shown(sheet.name)})
                parts[relation.target] = sheet.name
                if len(self.wb._sheets) == MAX_SHEETS:
                    raise SpreadsheetError(_("This XLSX file has more than %(sheets)s sheets; it is refused.")
                                           % {"sheets": f"{MAX_SHEETS:,}"})
                worksheet = _Worksheet(self.wb, sheet.name, relation.target, self.shared_strings)
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)


def _shared_text(element) -> str:
    """The text of a shared string (`<si>`): its plain text and the text of its formatted runs, as openpyxl's
    Text.content reads it (not the phonetic guide), without building openpyxl's objects for each string."""
    parts = []
    for child in element:
        if child.tag == _TEXT_TAG:
            parts.append(child.text or "")
        elif child.tag == _RUN_TAG:
            text = child.find(_TEXT_TAG)
            parts.append(text.text or "" if text is not None else "")
    return "".join(parts).replace("x005F_", "")  # openpyxl's reading of Excel's escaped underscore


class _Worksheet(ReadOnlyWorksheet):
    """A read-only sheet that does not read the size its XML declares: a file may overstate it (`A1:XFD1048576`),
    and openpyxl would parse the XML up to it without `_elements`' guards. `_sheet_rows` reads the rows."""

    def _get_size(self):
        pass


class _GuardedSource:
    """A part read as a stream (`_elements`) as the XML parser reads it, refusing a token (a tag, a text) longer than
    MAX_TOKEN_BYTES or a row longer than MAX_ROW_BYTES before it is in memory; `_elements` marks where they begin."""

    def __init__(self, raw, part: str):
        self.raw, self.part = raw, part
        self.position = self.event_at = self.row_at = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.position += len(data)
        # The parser reports what a chunk completes before it asks for the next chunk: so many bytes read without
        # a report are one token still open.
        if self.position - self.event_at > MAX_TOKEN_BYTES:
            raise SpreadsheetError(_("This XLSX file's part %(part)s holds a text or tag of more than %(size)s MB "
                                     "(a cell holds at most 32,767 characters); it is refused.")
                                   % {"part": _shown(self.part), "size": MAX_TOKEN_BYTES // MEGABYTE})
        if self.position - self.row_at > MAX_ROW_BYTES:
            raise SpreadsheetError(_("This XLSX file's part %(part)s holds a row of more than %(size)s MB; it is "
                                     "refused.") % {"part": _shown(self.part), "size": MAX_ROW_BYTES // MEGABYTE})
        return data


def _elements(raw, part: str) -> Iterator[tuple[int, object, object]]:
    """(depth, parent, element) of each element of a part down to depth 2 (the root is 0, a sheet's rows are 2, the
    shared strings 1, the cell styles 2), as each is complete, with everything inside it; after that it is dropped.

    So the parsed tree never holds more than one row: ElementTree's iterparse keeps every element it has read
    unless it is removed. No DTD is allowed (defusedxml); a row of more than MAX_ROW_ELEMENTS elements is refused.
    """
    source = _GuardedSource(raw, part)
    path: list = []
    inside = 0
    for event, element in DefusedElementTree.iterparse(source, events=("start", "end"), forbid_dtd=True):
        source.event_at = source.position
        if event == "start":
            path.append(element)
            if len(path) <= 3:  # an element of depth 0 to 2 begins: a new row
                source.row_at, inside = source.position, 0
            else:
                inside += 1
                if inside > MAX_ROW_ELEMENTS:
                    raise SpreadsheetError(_("This XLSX file's part %(part)s holds a row of more than %(count)s "
                                             "elements; it is refused.")
                                           % {"part": _shown(part), "count": f"{MAX_ROW_ELEMENTS:,}"})
            continue
        path.pop()
        if len(path) <= 2:
            parent = path[-1] if path else None
            yield len(path), parent, element
            if parent is not None:
                parent.remove(element)
            source.row_at, inside = source.position, 0


def _choose_sheet(workbook, wanted: str | None):
    """The sheet asked for; else the only sheet with data (or the only visible one: hidden sheets hold lists)."""
    sheets = workbook.worksheets
    if not sheets:
        raise SpreadsheetError(_("This XLSX file has no worksheet."))
    names = ", ".join(repr(sheet.title) for sheet in sheets[:20]) + (", …" if len(sheets) > 20 else "")
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
    raise SpreadsheetError(f"Several sheets have data ({', '.join(repr(sheet.title) for sheet in filled[:20])}): "
                           f"choose the sheet to read (the sheet field on the import page, --sheet NAME on the "
                           f"command line).")


def _has_data(workbook, sheet) -> bool:
    """Whether any cell of the sheet holds something (reads up to the first such row only)."""
    return any(_width(row) for _number, row in _sheet_rows(workbook, sheet))


class _ComputedValueReader(WorkSheetParser):
    """openpyxl's sheet parser (read-only, computed values), telling a formula without a value from a blank cell.

    openpyxl reads both as None. A formula that computed empty text has the type `str` and is blank; any other
    formula without a value was never computed (openpyxl and other libraries write formulas that way). The parser
    is openpyxl's internal one (pyproject pins openpyxl below 4.0); tests/finance/test_import_reading.py fails if
    it changes. Only its reading of a row and of a cell is used: `_elements` streams the rows.
    """

    def parse_cell(self, element):
        # A number cell may hold NaN or Infinity (other programs write them; Excel cannot): openpyxl would stop on
        # them, so they are read as the floats they name and refused by row and column like any value not an amount.
        special, number = None, element.find(VALUE_TAG) if element.get("t", "n") == "n" else None
        if number is not None and (number.text or "").strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            special, number.text = float(number.text), None
        try:
            cell = super().parse_cell(element)
        except _XLSX_ERRORS as exc:  # a number that is not one, a shared string that is not there, …
            where = element.get("r") or get_column_letter(min(self.col_counter + 1, 18278))
            raise SpreadsheetError(_("This XLSX file is damaged: cell %(cell)s of row %(row)s cannot be read "
                                     "(%(reason)s).") % {"cell": where[:20], "row": f"{self.row_counter:,}",
                                                         "reason": str(exc)[:200]}) from exc
        if special is not None:
            cell["value"] = special
        elif cell["value"] is None and cell["data_type"] != "str" and element.find(FORMULA_TAG) is not None:
            cell["value"] = NO_COMPUTED_VALUE
        return cell


def _sheet_rows(workbook, sheet) -> Iterator[tuple[int, list]]:
    """(row number, values) of the rows a sheet stores, read in one streaming pass."""
    # Reading the sheet's XML directly, rather than through iter_rows, sees the formulas and the computed values
    # in one pass, and does not pad every row to the sheet's declared size (which a file may overstate).
    reader = _ComputedValueReader(None, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                  date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    where = _("The sheet %(sheet)s of this XLSX file") % {"sheet": _shown(sheet.title)}
    try:
        with workbook._archive.stream(sheet._worksheet_path) as source:
            previous = 0
            for depth, parent, element in _elements(source, sheet._worksheet_path):
                if depth != 2 or element.tag != ROW_TAG or parent.tag != DATA_TAG:
                    continue
                number, cells = reader.parse_row(element)
                reader.row_dimensions.clear()  # the parser keeps each row's height and style; an import needs none
                if number < 1:
                    raise SpreadsheetError(_("%(where)s is damaged: it has a row numbered %(row)s.")
                                           % {"where": where, "row": f"{number:,}"})
                if number <= previous:  # Excel writes each row once, in order
                    raise SpreadsheetError(_("%(where)s is damaged: row %(row)s comes after row %(previous)s.")
                                           % {"where": where, "row": f"{number:,}", "previous": f"{previous:,}"})
                previous = number
                # Up to the last cell with a value: a file may store empty (formatted) cells as far as column XFD.
                values = [None] * max((cell["column"] for cell in cells if cell["value"] is not None), default=0)
                for cell in cells:
                    if cell["value"] is not None:
                        values[cell["column"] - 1] = cell["value"]
                yield number, values
    except SpreadsheetError:
        raise
    except _XLSX_ERRORS as exc:
        raise SpreadsheetError(_xml_problem(exc, where)) from exc


# -- CSV --------------------------------------------------------------------------------------------------------
# No line of a CSV file is longer (in characters) than this, and no cell longer than csv.field_size_limit() (131,072
# by default; Excel's longest cell text is 32,767 characters).
MAX_LINE_CHARACTERS = 1_000_000


def _decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in: UTF-8 (with or without a byte-order mark), else
    Windows-1252 (Excel on Windows saves "CSV" in the ANSI code page) when every byte decodes cleanly as that."""
    if b"\x00" in data[:1024]:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise SpreadsheetError(_("This file is UTF-16 text (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" "
                                     "or as XLSX."))
        raise SpreadsheetError(_("This is neither an XLSX nor a CSV file."))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:  # a byte-order mark says UTF-8: another encoding would be a guess
            raise SpreadsheetError(_("This CSV file starts as UTF-8 (with a byte-order mark), but %(where)s is not "
                                     "UTF-8; save it as \"CSV UTF-8\".")
                                   % {"where": _bad_byte(data, exc.start + len(codecs.BOM_UTF8))}) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("This CSV file is neither UTF-8 nor Windows-1252 text (%(where)s is neither); save "
                                 "it as \"CSV UTF-8\".") % {"where": _bad_byte(data, exc.start)}) from exc


def _bad_byte(data: bytes, at: int) -> str:
    """The byte at `at` and its line, for a message."""
    line = data.count(b"\n", 0, at) + 1
    return _("byte 0x%(byte)02X on line %(line)s") % {"byte": data[at], "line": f"{line:,}"}


def _csv_rows(text: str, limits: ImportLimits) -> Iterator[tuple[int, list[str]]]:
    end = _LINE_END.search(text, 0, MAX_LINE_CHARACTERS + 1)
    first_line = text[:end.start() if end else MAX_LINE_CHARACTERS + 1]
    # Dutch Excel separates with ';' (the comma is its decimal mark); English Excel with ','.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise SpreadsheetError(_("This CSV file cannot be read at line %(line)s (%(reason)s).")
                               % {"line": f"{reader.line_num:,}", "reason": exc}) from exc


_LINE_END = re.compile(r"\r\n?|\n")


def _bounded_lines(text: str) -> Iterator[str]:
    """The lines of the text with their ends, refusing one longer than MAX_LINE_CHARACTERS before csv splits it into
    cells (and before it is copied: io.StringIO would hold the whole text again, four bytes a character)."""
    start, number = 0, 0
    while start < len(text):
        number += 1
        end = _LINE_END.search(text, start, start + MAX_LINE_CHARACTERS + 2)
        stop = end.end() if end else min(len(text), start + MAX_LINE_CHARACTERS + 1)
        if stop - start > MAX_LINE_CHARACTERS:
            raise SpreadsheetError(_("Line %(line)s of this CSV file is longer than %(characters)s characters; it is "
                                     "refused.") % {"line": f"{number:,}", "characters": f"{MAX_LINE_CHARACTERS:,}"})
        yield text[start:stop]
        start = stop


# -- amounts ----------------------------------------------------------------------------------------------------
MARK_NAMES = {",": "comma", ".": "point"}


@dataclass(frozen=True)
class Notation:
    """A file's decimal separator (`,` or `.`; None when nothing settles it) and what settled it, for messages."""

    decimal_mark: str | None = None
    chosen: bool = False  # chosen for this import (page, command line, API) rather than read from the file
    why: str = "chosen for this import"  # what chose it, when chosen
    row: int = 0  # or the first row whose amount shows it
    example: str = ""  # and that amount as written
    conflicting: bool = False  # unsettled because the file's amounts show both

    def reason(self) -> str:
        """Why amounts are read with this decimal separator, in a few words."""
        return self.why if self.chosen else f"as in row {self.row}: {self.example!r}"

    def examples(self) -> tuple[str, str]:
        """Two amounts written in this notation (the Dutch way when nothing settles it)."""
        return ("1234.56", "1,234.56") if self.decimal_mark == "." else ("1234,56", "1.234,56")

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


# The digits 0-9 only: \d would also match Arabic-Indic (٣), Devanagari or full-width digits, which Decimal reads.
_AMOUNT_TEXT = re.compile(r"[0-9]+(?:[.,' ][0-9]+)*")
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
    written = _take_apart(text, value, notation)
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


def _take_apart(text: str, value, notation: Notation = Notation()) -> _Written:
    """Whole part, decimals and decimal separator of an amount's text; ValueError if it is not one."""
    if not _AMOUNT_TEXT.fullmatch(text):
        if any(char.isdigit() and not char.isascii() for char in text):
            one, other = notation.examples()
            raise ValueError(_("%(value)s is not an amount: write it with the digits 0-9 (like %(one)s or %(other)s)")
                             % {"value": _shown(value), "one": one, "other": other})
        raise ValueError(f"{value!r} is not an amount (write it like {' or '.join(notation.examples())})")
    groups, separators = _SEPARATOR.split(text), _SEPARATOR.findall(text)
    if not separators:
        return _Written(text)
    last = separators[-1]
    if last in " '" or separators.count(last) > 1:  # a decimal separator comes once: these all group thousands
        _check_groups(groups, separators, value, notation)
        return _Written("".join(groups), mark=_OTHER_MARK.get(last), grouped=last in _OTHER_MARK)
    whole, decimals = groups[:-1], groups[-1]
    if len(decimals) == 3 and len(whole) == 1 and _leads_a_group(whole[0]):
        return _Written(whole[0], decimals, mark=last, ambiguous=True)
    _check_groups(whole, separators[:-1], value, notation)
    if len(decimals) > 2:
        raise ValueError(f"{value!r} has more than two decimals")
    return _Written("".join(whole), decimals, mark=last)


def _check_groups(groups: list[str], separators: list[str], value, notation: Notation) -> None:
    """Thousands grouped as 1.234.567: one kind of separator, a first group of 1–3 digits, then threes."""
    if separators and (len(set(separators)) > 1 or not _leads_a_group(groups[0])
                       or any(len(group) != 3 for group in groups[1:])):
        raise ValueError(f"{value!r} is not an amount (write it like {' or '.join(notation.examples())})")


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
    if any(char.isdigit() and not char.isascii() for char in text):  # strptime reads Arabic-Indic digits as 0-9
        raise ValueError(_("%(value)s is not a date: write it with the digits 0-9, as 2026-03-31 or 31-03-2026")
                         % {"value": _shown(value)})
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
    """CSV text (comma-separated, UTF-8 with a BOM so Excel reads the accents) with formula-safe cells.

    Text holding a semicolon is quoted too: Excel set to Dutch splits CSV at semicolons, and `x;=1+1` would
    otherwise put a live formula in the next column.
    """
    out = io.StringIO()
    out.write("\ufeff")
    out.write(_csv_line(headers))
    for row in rows:
        out.write(_csv_line(row))
    return out.getvalue()


def _csv_line(cells) -> str:
    """One CSV line as the csv module writes it (CRLF, empty for None), also quoting text with a semicolon (the
    csv module quotes only at its own delimiter)."""
    fields = []
    for cell in cells:
        value = safe_cell(cell)
        text = "" if value is None else str(value)
        if any(char in text for char in ',;"\r\n'):
            text = '"' + text.replace('"', '""') + '"'
        fields.append(text)
    return ",".join(fields) + "\r\n"


def write_xlsx(headers: list[str], rows, title: str = "Sheet", heading: str = "") -> bytes:
    """An XLSX workbook of one sheet: numbers and dates as such (dates shown as ISO), text always as text (never a
    formula); `heading` (what the table is, as of when) above a bold header row that stays in view when scrolling,
    and columns as wide as their contents (up to 60 characters) when the rows are a list."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    if isinstance(rows, list):
        for index, width in enumerate(_column_widths(headers, rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3" if heading else "A2"  # below the header row (set before any row is written)
    if heading:
        sheet.append([_xlsx_cell(sheet, heading, Font(bold=True, size=13))])
    sheet.append([_xlsx_cell(sheet, h, Font(bold=True)) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column_widths(headers: list[str], rows: list) -> list[float]:
    """Each column's width in characters: its longest value (a date as ISO), at least 8, at most 60."""
    widths = [len(str(header)) for header in headers]
    for row in rows:
        for index, value in enumerate(row[:len(widths)]):
            text = value.isoformat() if isinstance(value, date) else str(value if value is not None else "")
            widths[index] = max(widths[index], len(text))
    return [min(max(width, 8), 60) + 2 for width in widths]


def _xlsx_cell(sheet, value, font: Font | None = None):
    if isinstance(value, Decimal):  # an amount: a number, shown with grouped thousands and two decimals
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if not isinstance(value, str):
        return value
    # openpyxl stores "=…" as a formula; typed as a string the cell is shown as written, never run.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
