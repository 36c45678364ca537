"""Spreadsheet import of budget lines, payments and expenditure: one plain loop over the rows of a table.

Each kind of file is described once (`RecordKind`): its columns, each with the model field it fills and how it reads
a cell (with spreadsheet.py's parsers, which raise ValueError with a message for the user); the columns that identify
a record, so that importing the same file twice changes nothing the second time; and the related records it names by
code. `import_money()` is the service and works as pretix's model import does: read the table; for each row read
every cell, find the stored record with the row's key (the stored records and the codes are looked up once, before
the rows), assign, check with the model's own validation, and collect what to create and what to change. A dry run
reports that, with every problem by spreadsheet row and column, and writes nothing; a commit writes it all in one
transaction, in bulk and with history, or, on any problem, nothing. The programmes it touches are re-evaluated once
on commit.

Its speed is measured by benchmarks/finance.py (100,000 budget lines). A big file takes longer than a web request may:
the desk runs the dry run and the commit as background jobs (finance/jobs.py) and follows them with a Progress
(finance/progress.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programme_tracker.continuity.receivers import programme_changed
from programme_tracker.finance.models import BudgetLine, Expenditure, Payment, Tranche
from programme_tracker.finance.progress import Progress
from programme_tracker.finance.spreadsheet import (
    FORMULA_WITHOUT_VALUE,
    Notation,
    SpreadsheetError,
    Table,
    detect_notation,
    parse_amount,
    parse_date,
    read_table,
)
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme

MAX_LISTED_CHANGES = 500  # the preview lists this many changed rows; the counts are always complete
MAX_KEPT_PROBLEMS = 1000  # a report kept for the import page lists this many problems; the count is complete
MAX_KEPT_TEXT = 300  # characters of a problem or a changed value kept for the page (a cell may hold 32,767)
BATCH_SIZE = 1000  # records per INSERT or UPDATE statement of a commit


# -- columns: one cell to one value, or ValueError with a message for the user ----------------------------------
@dataclass
class Found:
    """What the rows of one import are read with: the file's decimal separator, and the records the file names,
    looked up once before the rows (by field: code → record; tranches by funding period and planned date)."""

    notation: Notation
    records: dict[str, dict[str, models.Model]] = field(default_factory=dict)
    tranches: dict[tuple[int, date], list[Tranche]] = field(default_factory=dict)


class Column:
    """A column of text (stripped; blank is the empty text): its name in the header row and the model field it
    fills. The other kinds of column below read their cells their own way."""

    #: whether the cell names a related record: found by the import, so the model does not check it again
    names_a_record = False

    def __init__(self, name: str, field_name: str):
        self.name, self.field = name, field_name

    def read(self, cell, found: Found, values: dict):
        """The cell's value (`values` holds the row's values read so far, by field), or ValueError."""
        return "" if cell is None else str(cell).strip()

    def exported(self, value):
        """A stored value as a download writes it, so that `read` reads it back."""
        return value


class Amount(Column):
    """An amount in Dutch or English notation, read with the file's decimal separator (spreadsheet.parse_amount)."""

    def read(self, cell, found, values):
        return parse_amount(cell, found.notation)


class Day(Column):
    """A date as an Excel date or as text (spreadsheet.parse_date)."""

    def read(self, cell, found, values):
        return parse_date(cell)


class Year(Column):
    """A fiscal year such as 2026 (a number or text)."""

    def read(self, cell, found, values):
        if cell is None or str(cell).strip() == "":
            return None
        text = str(cell).strip()
        text = text[:-2] if text.endswith(".0") else text  # Excel numbers come as 2026.0
        if not (text.isascii() and text.isdigit()):  # int() reads Arabic-Indic and other digits too
            raise ValueError(f"{cell!r} is not a year")
        return int(text)


class Currency(Column):
    """A currency code; blank is EUR."""

    def read(self, cell, found, values):
        return super().read(cell, found, values).upper() or "EUR"


class Choice(Column):
    """One of a field's choices, by its value or its label in any case; blank is `default`."""

    def __init__(self, name: str, field_name: str, choices, default):
        super().__init__(name, field_name)
        self.default = default
        self.lookup = {}
        for value, label in choices:
            self.lookup[str(value).lower()] = value
            self.lookup[str(label).lower()] = value

    def read(self, cell, found, values):
        if cell is None or str(cell).strip() == "":
            return self.default
        try:
            return self.lookup[str(cell).strip().lower()]
        except KeyError:
            allowed = ", ".join(sorted({str(v) for v in self.lookup.values()}))
            raise ValueError(f"{cell!r} is not one of: {allowed}") from None


class Code(Column):
    """A related record named by its code (the column's name says which record: programme, funding period, …)."""

    names_a_record = True

    def __init__(self, name: str, field_name: str, model: type[models.Model], code_field: str):
        super().__init__(name, field_name)
        self.model, self.code_field = model, code_field

    def look_up(self, cells: Iterable) -> dict[str, models.Model]:
        """The records with the codes in these cells, in one query."""
        codes = {str(cell).strip() for cell in cells if cell not in (None, "")}
        return self.model.objects.in_bulk(codes, field_name=self.code_field) if codes else {}

    def read(self, cell, found, values):
        code = "" if cell is None else str(cell).strip()
        if not code:
            raise ValueError(f"give the {self.name} code")
        try:
            return found.records[self.field][code]
        except KeyError:
            raise ValueError(f"unknown {self.name} code {code!r}") from None

    def exported(self, value):
        return getattr(value, self.code_field)


class TrancheDay(Column):
    """The tranche a payment pays, named by its planned date within the row's funding period (optional)."""

    names_a_record = True

    def look_up(self, periods: Iterable[FundingPeriod]) -> dict[tuple[int, date], list[Tranche]]:
        """The tranches of these funding periods by period and planned date, in one query."""
        tranches = {}
        for tranche in Tranche.objects.filter(funding_period__in=list(periods)):
            tranches.setdefault((tranche.funding_period_id, tranche.planned_on), []).append(tranche)
        return tranches

    def read(self, cell, found, values):
        day = parse_date(cell)
        if day is None:
            return None
        period = values.get("funding_period")
        if period is None:
            return None  # the funding period column reports its own problem
        tranches = found.tranches.get((period.pk, day), [])
        if len(tranches) != 1:
            raise ValueError(f"funding period {period.code} has {'no' if not tranches else 'more than one'} tranche "
                             f"planned on {day}")
        return tranches[0]

    def exported(self, value):
        return value.planned_on if value else None


# -- the kinds of file ------------------------------------------------------------------------------------------
class RecordKind:
    """What one kind of file holds: the model, its columns in order, the columns that identify a record (a row with
    the key of a stored record updates it; the first names the programme or funding period whose stored records a
    file may update), the columns a file must have, and the programme a record belongs to."""

    def __init__(self, model: type[models.Model], columns: list[Column], key: tuple[str, ...],
                 required: tuple[str, ...], programme_of: Callable[[models.Model], int]):
        self.model, self.columns, self.required, self.programme_of = model, columns, required, programme_of
        by_name = {column.name: column for column in columns}
        self.key = [by_name[name] for name in key]
        self.key_attnames = [model._meta.get_field(column.field).attname for column in self.key]
        self.concrete_attnames = [f.attname for f in model._meta.concrete_fields]
        # Checked by the import itself: the key (against the file and the stored records) and the records found by
        # code; the model checking them again would cost a query per row.
        self.found_by_import = {column.field for column in columns if column.names_a_record}
        self.described = [column for column in columns if column not in self.key and not column.names_a_record]
        self.updated_fields = [column.field for column in columns if column not in self.key] + ["version"]

    def column_names(self) -> list[str]:
        """The columns of this kind of file, in order."""
        return [column.name for column in self.columns]

    def amount_columns(self) -> list[str]:
        """The columns that hold amounts, whose text shows the file's decimal separator."""
        return [column.name for column in self.columns if isinstance(column, Amount)]

    def column_of(self, field_name: str) -> str:
        """The column a model field is read from (for problems); the key's first column for any other field."""
        for column in self.columns:
            if column.field == field_name:
                return column.name
        return self.key[0].name

    def key_of(self, values: dict) -> tuple:
        """The key of a row's values as the stored records hold it (related records by id)."""
        return tuple(_stored_value(values[column.field]) for column in self.key)

    def stored(self, found: Found, *, lock: bool) -> dict[tuple, models.Model]:
        """Every stored record a row of the file may update, by key: those of the programmes or funding periods the
        file names (locked until the commit ends when `lock`)."""
        owner = self.key[0].field
        records = self.model.objects.filter(**{f"{owner}__in": [r.pk for r in found.records[owner].values()]})
        if lock:
            records = records.select_for_update()
        return {tuple(getattr(record, name) for name in self.key_attnames): record for record in records}

    def export_rows(self) -> Iterator[list]:
        """The stored records of this kind as rows of cells under `column_names()`, to edit and import again."""
        related = [column.field for column in self.columns if column.names_a_record]
        for record in self.model.objects.select_related(*related).order_by(*self.model._meta.ordering):
            yield [column.exported(getattr(record, column.field)) for column in self.columns]


KINDS = {
    "budget-lines": RecordKind(BudgetLine, [
        Code("programme", "programme", Programme, "code"),
        Year("fiscal year", "fiscal_year"),
        Choice("kind", "kind", BudgetLine.Kind.choices, BudgetLine.Kind.ORIGINAL),
        Choice("status", "status", BudgetLine.Status.choices, BudgetLine.Status.INDICATIVE),
        Amount("amount", "amount"),
        Currency("currency", "currency"),
        Day("revised on", "revised_on"),
        Column("note", "note"),
    ], key=("programme", "fiscal year", "kind"), required=("programme", "fiscal year", "amount"),
        programme_of=lambda line: line.programme_id),
    "payments": RecordKind(Payment, [
        Code("funding period", "funding_period", FundingPeriod, "code"),
        Column("reference", "reference"),
        Day("paid on", "paid_on"),
        Amount("amount", "amount"),
        Currency("currency", "currency"),
        TrancheDay("tranche planned on", "tranche"),
    ], key=("funding period", "reference"), required=("funding period", "reference", "paid on", "amount"),
        programme_of=lambda payment: payment.funding_period.programme_id),
    "expenditure": RecordKind(Expenditure, [
        Code("funding period", "funding_period", FundingPeriod, "code"),
        Code("organisation", "organisation", Organisation, "short_name"),
        Day("from", "period_start"),
        Day("to", "period_end"),
        Choice("category", "category", Expenditure.Category.choices, None),
        Amount("amount", "amount"),
        Currency("currency", "currency"),
    ], key=("funding period", "organisation", "from", "category"),
        required=("funding period", "organisation", "from", "to", "category", "amount"),
        programme_of=lambda spending: spending.funding_period.programme_id),
}


# -- the report -------------------------------------------------------------------------------------------------
@dataclass
class ImportProblem:
    """One problem: the spreadsheet row (0 for the file as a whole), the column and the reason."""

    row: int
    column: str
    message: str

    def __str__(self):
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column!r}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): counts, the first changes, every error, and how the file
    was read (its sheet, its decimal separator)."""

    kind: str
    committed: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""  # how a CSV file's text was read: UTF-8 or Windows-1252 (spreadsheet.read_table)
    notation: Notation = field(default_factory=Notation)
    unlisted_errors: int = 0  # problems left out of `errors` when the report was kept (see as_dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problem_count(self) -> int:
        """How many problems the file has, listed or not."""
        return len(self.errors) + self.unlisted_errors

    def as_dict(self) -> dict:
        """The report as JSON values, to keep it for the import page: the first MAX_KEPT_PROBLEMS problems (and
        how many more there are), the listed changes with their amounts and dates kept exact."""
        kept = self.errors[:MAX_KEPT_PROBLEMS]
        return {
            "kind": self.kind, "committed": self.committed, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "ignored_columns": self.ignored_columns,
            "sheet": self.sheet, "encoding": self.encoding, "notation": asdict(self.notation),
            "errors": [[e.row, _shortened(e.column), _shortened(e.message)] for e in kept],
            "unlisted_errors": self.unlisted_errors + len(self.errors) - len(kept),
            "changes": [{**change, "changed": [{**c, "old": _json_value(c["old"]), "new": _json_value(c["new"])}
                                               for c in change["changed"]]} for change in self.changes],
        }

    @classmethod
    def from_dict(cls, values: dict) -> ImportReport:
        """A report kept with `as_dict()`."""
        return cls(
            kind=values["kind"], committed=values["committed"], rows=values["rows"], created=values["created"],
            updated=values["updated"], unchanged=values["unchanged"], ignored_columns=values["ignored_columns"],
            sheet=values["sheet"], encoding=values.get("encoding", ""), notation=Notation(**values["notation"]),
            errors=[ImportProblem(*error) for error in values["errors"]], unlisted_errors=values["unlisted_errors"],
            changes=[{**change, "changed": [{**c, "old": _python_value(c["old"]), "new": _python_value(c["new"])}
                                            for c in change["changed"]]} for change in values["changes"]],
        )


def _json_value(value):
    """A changed value as JSON, tagged where JSON has no type for it (amounts, dates)."""
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, int | float | bool):
        return value
    return _shortened(str(value))


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_KEPT_TEXT else text[:MAX_KEPT_TEXT - 1] + "…"


def _python_value(value):
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(value["date"])
    return value


# -- the service ------------------------------------------------------------------------------------------------
def import_money(kind: str, data: bytes, filename: str = "", *, user=None, commit: bool = False,
                 decimal_mark: str | Notation | None = None, sheet: str | None = None,
                 progress: Progress | None = None) -> ImportReport:
    """Import a spreadsheet of budget lines, payments or expenditure: a dry run unless `commit`; all or nothing.

    `decimal_mark` (`,` or `.`, or a Notation that says who chose it) overrides the decimal separator read from
    the file; `sheet` names the XLSX sheet; `progress` is told how many rows have been read and checked.
    """
    records = KINDS[kind]
    report = ImportReport(kind=kind)
    columns, rows = _rows_to_import(records, data, filename, sheet, decimal_mark, report, progress)
    if columns is None:
        return report
    if not commit:  # reads only: no transaction, which on SQLite would hold the database's only write lock
        _check(records, columns, rows, report, progress, lock=False)
        return report
    with transaction.atomic():
        checked = _check(records, columns, rows, report, progress, lock=True)
        if report.ok:
            _save(records, checked, user, f"imported from {filename or 'a spreadsheet'}", report)
        if report.ok:
            for programme_id in checked.programme_ids:
                programme_changed(programme_id)  # one re-evaluation of these programmes on commit
    report.committed = report.ok
    return report


@dataclass
class Checked:
    """The records a file creates and changes, ready to be saved, and the programmes they belong to."""

    creates: list[models.Model] = field(default_factory=list)
    updates: list[models.Model] = field(default_factory=list)
    programme_ids: set[int] = field(default_factory=set)


def _check(records: RecordKind, columns: list[Column | None], rows: list[tuple[int, list]], report: ImportReport,
           progress: Progress | None, *, lock: bool) -> Checked:
    """Read every row, find its stored record, assign and check it: counts, changes and problems go to the report,
    the records to create and to change are returned."""
    found = _look_up(columns, rows, report.notation)
    stored = records.stored(found, lock=lock)
    present = [(index, column) for index, column in enumerate(columns) if column is not None]
    # A key column the file leaves out (a budget line's kind) has its blank value in every row.
    left_out = {column.field: column.read(None, found, {}) for column in records.key if column not in columns}
    checked, seen, problems = Checked(), {}, []
    for count, (number, cells) in enumerate(rows, start=1):
        values, errors = _read(present, cells, found)
        key = None if any(column.field in errors for column in records.key) else records.key_of(left_out | values)
        record = stored.get(key) if key is not None else None
        before = _snapshot(records, record) if record is not None else None
        if record is None:
            record = records.model()
        for name, value in values.items():
            setattr(record, name, value)
        if not errors and key in seen:
            errors[records.key[0].field] = [f"the same record as row {seen[key]} (same "
                                            f"{', '.join(column.name for column in records.key)})"]
        elif not errors:
            seen[key] = number
        if not errors and before is not None and before == _snapshot(records, record):
            report.unchanged += 1
        elif _add_model_problems(records, record, errors):
            problems += [ImportProblem(number, "" if name == NON_FIELD_ERRORS else records.column_of(name), message)
                         for name, messages in errors.items() for message in messages]
        else:
            (checked.creates if before is None else checked.updates).append(record)
            checked.programme_ids.add(records.programme_of(record))
            if len(report.changes) < MAX_LISTED_CHANGES:
                report.changes.append(_change(records, number, record, before))
        if progress is not None:
            progress.checking(count, len(rows))
    if progress is not None:
        progress.saving()
    report.created, report.updated = len(checked.creates), len(checked.updates)
    report.errors = sorted(report.errors + problems, key=lambda e: (e.row, e.column))
    return checked


def _read(present: list[tuple[int, Column]], cells: list, found: Found) -> tuple[dict, dict[str, list[str]]]:
    """A row's values by field, and the problems of the cells that cannot be read."""
    values, errors = {}, {}
    for index, column in present:
        try:
            values[column.field] = column.read(cells[index], found, values)
        except ValueError as exc:
            errors[column.field] = [str(exc)]
    return values, errors


def _look_up(columns: list[Column | None], rows, notation: Notation) -> Found:
    """The records the rows name, each kind of record in one query."""
    found = Found(notation)
    for index, column in enumerate(columns):
        if isinstance(column, Code):
            found.records[column.field] = column.look_up(cells[index] for _number, cells in rows)
    for column in columns:
        if isinstance(column, TrancheDay):
            found.tranches = column.look_up(found.records.get("funding_period", {}).values())
    return found


def _stored_value(value):
    """A key's value as the stored record holds it: a related record by its id."""
    return value.pk if isinstance(value, models.Model) else value


def _snapshot(records: RecordKind, record) -> dict:
    """The record's values, to tell a changed row from an unchanged one."""
    return {name: getattr(record, name) for name in records.concrete_attnames}


def _add_model_problems(records: RecordKind, record, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Add to the row's problems, by field, those of the model's own checks (its fields' validators and `clean()`);
    a field whose cell could not be read is not checked again. Returns the problems."""
    try:
        record.full_clean(exclude=set(errors) | records.found_by_import, validate_unique=False,
                          validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    return errors


def _change(records: RecordKind, number: int, record, before: dict | None) -> dict:
    """One line of the preview: the row, what happens, the record and what changes (of a new record: the values it
    gets, other than its key)."""
    changed = []
    for column in records.described:
        old, new = (before or {}).get(column.field), getattr(record, column.field)
        if old != new and (before or new not in (None, "")):
            changed.append({"column": column.name, "old": old, "new": new})
    return {"row": number, "action": "create" if before is None else "update", "record": str(record),
            "changed": changed}


def _save(records: RecordKind, checked: Checked, user, reason: str, report: ImportReport) -> None:
    """Write the new and the changed records in bulk, with their history; the database refusing them is a problem of
    the file, and then nothing is written."""
    for record in checked.updates:
        record.version += 1  # an editor who opened the record before the import cannot save over it
    try:
        with transaction.atomic():
            if checked.creates:
                bulk_create_with_history(checked.creates, records.model, batch_size=BATCH_SIZE, default_user=user,
                                         default_change_reason=reason)
            if checked.updates:
                bulk_update_with_history(checked.updates, records.model, records.updated_fields,
                                         batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason)
    except DatabaseError as exc:
        report.errors.append(ImportProblem(0, "", f"the database refused the rows: {exc}"))


# -- reading the file -------------------------------------------------------------------------------------------
def _rows_to_import(records: RecordKind, data, filename, sheet, decimal_mark, report: ImportReport, progress=None):
    """The kind's column under each of the file's columns and the rows to import (None, None when the file cannot
    be imported); records in the report the sheet read, the decimal separator and the problems of the file as a
    whole."""
    try:
        table = read_table(data, filename, sheet=sheet, progress=progress.reading if progress else None)
    except SpreadsheetError as exc:
        report.errors.append(ImportProblem(0, "", str(exc)))
        return None, None
    report.sheet, report.encoding, report.rows = table.sheet, table.encoding, len(table.rows)
    columns = _columns(records, table, report)
    if not table.rows:
        where = f"the sheet {table.sheet!r}" if table.sheet else "the file"
        report.errors.append(ImportProblem(0, "", f"no rows to import: {where} has only the row naming the columns"))
    if report.errors:
        return None, None
    refused = _refuse_formulas_without_value(table, columns, report)
    rows = [(number, row) for number, row in table.rows if number not in refused]
    report.notation = _notation(records, columns, rows, decimal_mark, report)
    return columns, rows


def _columns(records: RecordKind, table: Table, report: ImportReport) -> list[Column | None]:
    """The kind's column under each of the table's headers (matched ignoring case and spaces; None for a column
    the import ignores); reports duplicate, missing and ignored columns."""
    wanted = {_normal(column.name): column for column in records.columns}
    columns = []
    for header in table.headers:
        column = wanted.get(_normal(header))
        if column is not None and column in columns:
            report.errors.append(ImportProblem(1, header, "this column appears twice"))
            column = None
        elif column is None and header:
            report.ignored_columns.append(header)
        columns.append(column)
    present = {column.name for column in columns if column is not None}
    for name in records.required:
        if name not in present:
            report.errors.append(ImportProblem(0, name, "this column is missing"))
    return columns


def _refuse_formulas_without_value(table: Table, columns: list[Column | None], report: ImportReport) -> set[int]:
    """Report every formula cell without a computed value; returns the numbers of the rows it refuses."""
    # Read as empty, such a cell would drop an optional value (a payment's tranche) without a word.
    refused = set()
    for number, index in table.formulas_without_value():
        column = columns[index]
        name = column.name if column is not None else table.headers[index] or get_column_letter(index + 1)
        report.errors.append(ImportProblem(number, name, FORMULA_WITHOUT_VALUE))
        refused.add(number)
    return refused


def _notation(records: RecordKind, columns: list[Column | None], rows, decimal_mark: str | Notation | None,
              report: ImportReport) -> Notation:
    """The decimal separator chosen for the import, or else the one the file's amounts show."""
    if isinstance(decimal_mark, Notation):  # chosen, with the reason to give in messages
        return decimal_mark
    if decimal_mark:
        return Notation(decimal_mark, chosen=True)
    indexes = [index for index, column in enumerate(columns) if isinstance(column, Amount)]
    try:
        return detect_notation((number, row[index]) for number, row in rows for index in indexes)
    except SpreadsheetError as exc:
        report.errors.append(ImportProblem(0, ", ".join(records.amount_columns()), str(exc)))
        return Notation(conflicting=True)


def _normal(name: str) -> str:
    return " ".join(str(name).replace("_", " ").lower().split())
