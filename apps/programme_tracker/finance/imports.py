"""Spreadsheet import of budget lines, payments and expenditure, on django-import-export.

Each kind of record is a resource: its columns (with the widgets that read Dutch and English spreadsheets), the
columns that identify a record (so importing the same file twice changes nothing the second time), and the
related records it refers to by code. `import_money()` is the service: a dry run reports what would be created or
changed and every error by spreadsheet row and column; a commit writes everything or, on any error, nothing.

The rows are written in bulk, with their history, and the programmes they touch are re-evaluated once on commit.
Speed is in benchmarks/finance.py. A big file takes longer than a web request may: the desk runs the dry run and
the commit as background jobs (finance/jobs.py) and follows them with a Progress (finance/progress.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets
from import_export.results import RowResult
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from tablib import Dataset

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


# -- widgets: one cell to one value, or ValueError with a message for the user ----------------------------------
class AmountWidget(widgets.Widget):
    """An amount in Dutch or English notation, read with the file's decimal separator (see spreadsheet.parse_amount)."""

    notation = Notation()

    def clean(self, value, row=None, **kwargs):
        return parse_amount(value, self.notation)


class DayWidget(widgets.Widget):
    """A date as an Excel date or as text (see spreadsheet.parse_date)."""

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)


class YearWidget(widgets.Widget):
    """A fiscal year such as 2026 (a number or text)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        text = text[:-2] if text.endswith(".0") else text  # Excel numbers come as 2026.0
        if not (text.isascii() and text.isdigit()):  # int() reads Arabic-Indic and other digits too
            raise ValueError(f"{value!r} is not a year")
        return int(text)


class TextWidget(widgets.Widget):
    """Text, stripped; blank is the empty text."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


class ChoiceWidget(widgets.Widget):
    """One of a field's choices, by its value or its label in any case; blank is the field's default."""

    def __init__(self, choices, default):
        super().__init__()
        self.default = default
        self.lookup = {}
        for value, label in choices:
            self.lookup[str(value).lower()] = value
            self.lookup[str(label).lower()] = value

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return self.default
        try:
            return self.lookup[str(value).strip().lower()]
        except KeyError:
            allowed = ", ".join(sorted({str(v) for v in self.lookup.values()}))
            raise ValueError(f"{value!r} is not one of: {allowed}") from None


class CurrencyWidget(TextWidget):
    """A currency code; blank is EUR."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value).upper() or "EUR"


class CodeWidget(widgets.Widget):
    """A related record named by its code; the records are looked up once per import (`load`)."""

    def __init__(self, model, code_field, what):
        super().__init__()
        self.model, self.code_field, self.what = model, code_field, what
        self.known: dict[str, object] = {}

    def load(self, codes):
        """Fetch the records with these codes in one query."""
        codes = {str(code).strip() for code in codes if code not in (None, "")}
        self.known = self.model.objects.in_bulk(codes, field_name=self.code_field) if codes else {}

    def clean(self, value, row=None, **kwargs):
        code = "" if value is None else str(value).strip()
        if not code:
            raise ValueError(f"give the {self.what} code")
        try:
            return self.known[code]
        except KeyError:
            raise ValueError(f"unknown {self.what} code {code!r}") from None


class TrancheWidget(widgets.Widget):
    """The tranche a payment pays, named by its planned date within the row's funding period (optional)."""

    def __init__(self, period_column):
        super().__init__()
        self.period_column = period_column
        self.periods: dict[str, FundingPeriod] = {}
        self.by_period_and_day: dict[tuple[int, object], list[Tranche]] = {}

    def load(self, periods: dict[str, FundingPeriod]):
        """Fetch the tranches of these funding periods (by code) in one query."""
        self.periods, self.by_period_and_day = periods, {}
        for tranche in Tranche.objects.filter(funding_period__in=periods.values()):
            self.by_period_and_day.setdefault((tranche.funding_period_id, tranche.planned_on), []).append(tranche)

    def clean(self, value, row=None, **kwargs):
        day = parse_date(value)
        if day is None:
            return None
        period = self.periods.get(str(row.get(self.period_column) or "").strip())
        if period is None:
            return None  # the funding period column reports its own error
        found = self.by_period_and_day.get((period.pk, day), [])
        if len(found) != 1:
            raise ValueError(f"funding period {period.code} has {'no' if not found else 'more than one'} tranche "
                             f"planned on {day}")
        return found[0]


# -- resources --------------------------------------------------------------------------------------------------
def _field(attribute, column, widget):
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class MoneyResource(resources.ModelResource):
    """What the three spreadsheet imports share: keys, lookups, checks, change detection and bulk writes."""

    #: the columns that identify a record; a row with the key of an existing record updates it
    key: tuple[str, ...] = ()
    #: columns a file must have
    required: tuple[str, ...] = ()
    #: fields of the key that are references (excluded from full_clean: the widgets already found them); the
    #: first is the record's programme or funding period, whose stored records a file may update
    references: tuple[str, ...] = ()

    class Meta:
        abstract = True
        use_bulk = True
        batch_size = 1000
        skip_diff = True  # we compare with a snapshot of the record instead of a deep copy
        clean_model_instances = True
        report_skipped = True
        use_transactions = True

    def __init__(self, user=None, source=""):
        super().__init__()
        self.user, self.source = user, source
        self.existing: dict[tuple, object] = {}
        self.seen: dict[tuple, int] = {}
        self.row_numbers: list[int] = []
        self.changes: list[dict] = []
        self.programme_ids: set[int] = set()
        self.progress: Progress | None = None

    @classmethod
    def ordered_fields(cls) -> list:
        """The resource's fields in the order of Meta.fields (import-export keeps the model's order)."""
        return [cls.fields[name] for name in cls._meta.fields]

    @classmethod
    def column_names(cls) -> list[str]:
        """The columns of this kind of file, in order."""
        return [f.column_name for f in cls.ordered_fields()]

    @classmethod
    def amount_columns(cls) -> list[str]:
        """The columns that hold amounts, whose text shows the file's decimal separator."""
        return [f.column_name for f in cls.ordered_fields() if isinstance(f.widget, AmountWidget)]

    def read_amounts_with(self, notation: Notation) -> None:
        """Read this import's amounts with this decimal separator (the widgets are this resource's own copies)."""
        for f in self.fields.values():
            if isinstance(f.widget, AmountWidget):
                f.widget.notation = notation

    def column(self, attribute: str) -> str:
        """The column a model field is read from (for error messages); the key's first column otherwise."""
        for f in self.fields.values():
            if f.attribute == attribute or f.attribute == attribute.removesuffix("_id"):
                return f.column_name
        return self.fields[self.key[0]].column_name

    # -- before the rows: load what the rows refer to ---------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        for f in self.fields.values():
            if isinstance(f.widget, CodeWidget) and f.column_name in dataset.headers:
                f.widget.load(dataset[f.column_name])
        self.load_existing(kwargs.get("dry_run", True))

    def load_existing(self, dry_run):
        """Every stored record that a row of the file may update, by key (locked until commit when writing).

        They are the records of the programmes or funding periods the file names (the key's first reference).
        """
        owner = self.references[0]
        rows = self._meta.model.objects.filter(**{f"{owner}__in": self.fields[owner].widget.known.values()})
        if not dry_run:
            rows = rows.select_for_update()
        self.existing = {self.stored_key(obj): obj for obj in rows.select_related(owner)}

    def stored_key(self, obj) -> tuple:
        """The key of a record (references by id), as `get_instance` computes it from a row."""
        return tuple(getattr(obj, f"{name}_id" if name in self.references else name) for name in self.key)

    # -- each row ---------------------------------------------------------------------------------------------
    def get_instance(self, instance_loader, row):
        """The stored record with this row's key, from the records loaded before the rows (no query per row)."""
        try:
            key = tuple(self._key_part(name, row) for name in self.key)
        except (ValueError, KeyError):
            return None  # the row's own check names the bad cell
        return self.existing.get(key)

    def _key_part(self, name, row):
        f = self.fields[name]
        value = f.clean(row) if f.column_name in row else f.widget.clean(None)
        return value.pk if name in self.references else value

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_before = None if new else self.snapshot(instance)

    def snapshot(self, instance) -> dict:
        """The record's stored values, to tell a changed row from an unchanged one."""
        return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        key = self.stored_key(instance)
        number = self.row_numbers[kwargs["row_number"] - 1]
        if key in self.seen:
            raise ValidationError({self.key[0]: f"the same record as row {self.seen[key]} (same "
                                                f"{', '.join(self.fields[k].column_name for k in self.key)})"})
        self.seen[key] = number

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Uniqueness is the key (checked above against the file and the stored records), and the references were
        # found by the widgets: checking either again would cost a query per row.
        exclude = set(errors) | set(self.references) | {"tranche"}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        before = instance._import_before
        return not import_validation_errors and before is not None and before == self.snapshot(instance)

    def after_import_row(self, row, row_result, **kwargs):
        number = self.row_numbers[kwargs["row_number"] - 1]
        if row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            instance = self._current
            self.programme_ids.add(self.programme_of(instance))
            if len(self.changes) < MAX_LISTED_CHANGES:
                self.changes.append(self.describe(number, row_result.import_type, instance))

    def import_row(self, row, instance_loader, **kwargs):
        # Keep the instance at hand for after_import_row without storing every instance in the result.
        self._current = None
        result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress.checking(kwargs["row_number"], len(self.row_numbers))
        return result

    def save_instance(self, instance, is_create, row, **kwargs):
        self._current = instance
        super().save_instance(instance, is_create, row, **kwargs)

    def describe(self, number, import_type, instance) -> dict:
        """One line of the preview: the row, what happens, the record and what changes."""
        before = instance._import_before or {}
        changed = []  # of a new record: the values it gets, other than its key
        for name, f in self.fields.items():
            if name in self.key or isinstance(f.widget, TrancheWidget):
                continue
            old, new = before.get(f.attribute), getattr(instance, f.attribute, None)
            if old != new and (before or new not in (None, "")):
                changed.append({"column": f.column_name, "old": old, "new": new})
        return {"row": number, "action": "create" if import_type == RowResult.IMPORT_TYPE_NEW else "update",
                "record": str(instance), "changed": changed}

    def programme_of(self, instance) -> int:
        """The programme to re-evaluate when this record changes."""
        return instance.funding_period.programme_id

    # -- export: the stored records in the same columns, so a download can be edited and imported again ------
    def export_rows(self):
        """The stored records of this kind as rows of cells under `column_names()`."""
        ordered = self.ordered_fields()
        related = [f.attribute for f in ordered if isinstance(f.widget, CodeWidget | TrancheWidget)]
        for obj in self._meta.model.objects.select_related(*related).order_by(*self._meta.model._meta.ordering):
            yield [self.export_cell(f, getattr(obj, f.attribute)) for f in ordered]

    @staticmethod
    def export_cell(f, value):
        """A stored value as the import reads it back: a code for a reference, a date for a tranche."""
        if isinstance(f.widget, CodeWidget):
            return getattr(value, f.widget.code_field)
        if isinstance(f.widget, TrancheWidget):
            return value.planned_on if value else None
        return value

    # -- writing: in bulk, with history, and with the edit version moved on ----------------------------------
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances:
            try:
                bulk_create_with_history(self.create_instances, self._meta.model, batch_size=batch_size,
                                         default_user=self.user, default_change_reason=self.source)
            except Exception as exc:  # reported as an error of the file; the transaction rolls back
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances:
            for instance in self.update_instances:
                instance.version += 1  # an editor who opened the record before the import cannot save over it
            names = [f.attribute for name, f in self.fields.items() if name not in self.key] + ["version"]
            try:
                bulk_update_with_history(self.update_instances, self._meta.model, names, batch_size=batch_size,
                                         default_user=self.user, default_change_reason=self.source)
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        """Nothing to do: the database assigns the ids (import-export would reset sequences here)."""


class BudgetLineResource(MoneyResource):
    """Budget lines: programme code, fiscal year, original or revised, indicative or committed, amount."""

    programme = _field("programme", "programme", CodeWidget(Programme, "code", "programme"))
    fiscal_year = _field("fiscal_year", "fiscal year", YearWidget())
    kind = _field("kind", "kind", ChoiceWidget(BudgetLine.Kind.choices, BudgetLine.Kind.ORIGINAL))
    status = _field("status", "status", ChoiceWidget(BudgetLine.Status.choices, BudgetLine.Status.INDICATIVE))
    amount = _field("amount", "amount", AmountWidget())
    currency = _field("currency", "currency", CurrencyWidget())
    revised_on = _field("revised_on", "revised on", DayWidget())
    note = _field("note", "note", TextWidget())

    key = ("programme", "fiscal_year", "kind")
    required = ("programme", "fiscal year", "amount")
    references = ("programme",)

    class Meta(MoneyResource.Meta):
        model = BudgetLine
        fields = ("programme", "fiscal_year", "kind", "status", "amount", "currency", "revised_on", "note")
        import_id_fields = ("programme", "fiscal_year")

    def programme_of(self, instance) -> int:
        return instance.programme_id


class PaymentResource(MoneyResource):
    """Payments: funding period code, payment reference, date paid, amount, and the tranche's planned date."""

    funding_period = _field("funding_period", "funding period", CodeWidget(FundingPeriod, "code", "funding period"))
    reference = _field("reference", "reference", TextWidget())
    paid_on = _field("paid_on", "paid on", DayWidget())
    amount = _field("amount", "amount", AmountWidget())
    currency = _field("currency", "currency", CurrencyWidget())
    tranche = _field("tranche", "tranche planned on", TrancheWidget("funding period"))

    key = ("funding_period", "reference")
    required = ("funding period", "reference", "paid on", "amount")
    references = ("funding_period",)

    class Meta(MoneyResource.Meta):
        model = Payment
        fields = ("funding_period", "reference", "paid_on", "amount", "currency", "tranche")
        import_id_fields = ("funding_period", "reference")

    def load_existing(self, dry_run):
        self.fields["tranche"].widget.load(self.fields["funding_period"].widget.known)
        super().load_existing(dry_run)


class ExpenditureResource(MoneyResource):
    """Expenditure: funding period code, reporting organisation, from, to, category, amount."""

    funding_period = _field("funding_period", "funding period", CodeWidget(FundingPeriod, "code", "funding period"))
    organisation = _field("organisation", "organisation", CodeWidget(Organisation, "short_name", "organisation"))
    period_start = _field("period_start", "from", DayWidget())
    period_end = _field("period_end", "to", DayWidget())
    category = _field("category", "category", ChoiceWidget(Expenditure.Category.choices, None))
    amount = _field("amount", "amount", AmountWidget())
    currency = _field("currency", "currency", CurrencyWidget())

    key = ("funding_period", "organisation", "period_start", "category")
    required = ("funding period", "organisation", "from", "to", "category", "amount")
    references = ("funding_period", "organisation")

    class Meta(MoneyResource.Meta):
        model = Expenditure
        fields = ("funding_period", "organisation", "period_start", "period_end", "category", "amount", "currency")
        import_id_fields = ("funding_period", "organisation", "period_start", "category")


KINDS = {"budget-lines": BudgetLineResource, "payments": PaymentResource, "expenditure": ExpenditureResource}


# -- the service ------------------------------------------------------------------------------------------------
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


def import_money(kind: str, data: bytes, filename: str = "", *, user=None, commit: bool = False,
                 decimal_mark: str | None = None, sheet: str | None = None,
                 progress: Progress | None = None) -> ImportReport:
    """Import a spreadsheet of budget lines, payments or expenditure: a dry run unless `commit`; all or nothing.

    `decimal_mark` (`,` or `.`) overrides the decimal separator read from the file; `sheet` names the XLSX sheet;
    `progress` is told how many rows have been read and checked.
    """
    resource_class = KINDS[kind]
    report = ImportReport(kind=kind)
    headers, rows = _rows_to_import(resource_class, data, filename, sheet, decimal_mark, report, progress)
    if headers is None:
        return report
    resource = resource_class(user=user, source=f"imported from {filename or 'a spreadsheet'}")
    resource.read_amounts_with(report.notation)
    resource.row_numbers = [number for number, _row in rows]
    resource.progress = progress
    dataset = Dataset(*[tuple(row) for _number, row in rows], headers=headers)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=not commit, use_transactions=True,
                                      rollback_on_validation_errors=True)
        if progress is not None:
            progress.saving()
        _collect(resource, result, report)
        if commit and report.ok:
            for programme_id in resource.programme_ids:
                programme_changed(programme_id)  # one re-evaluation of these programmes on commit
        else:
            transaction.set_rollback(True)
    report.committed = commit and report.ok
    return report


def _rows_to_import(resource_class, data, filename, sheet, decimal_mark, report: ImportReport, progress=None):
    """The file's headers as column names and the rows to import (None, None when the file cannot be imported);
    records in the report the sheet read, the decimal separator and the problems of the file as a whole."""
    try:
        table = read_table(data, filename, sheet=sheet, progress=progress.reading if progress else None)
    except SpreadsheetError as exc:
        report.errors.append(ImportProblem(0, "", str(exc)))
        return None, None
    report.sheet, report.encoding, report.rows = table.sheet, table.encoding, len(table.rows)
    headers = _headers(resource_class, table, report)
    if not table.rows:
        where = f"the sheet {table.sheet!r}" if table.sheet else "the file"
        report.errors.append(ImportProblem(0, "", f"no rows to import: {where} has only the row naming the columns"))
    if report.errors:
        return None, None
    refused = _refuse_formulas_without_value(table, headers, report)
    rows = [(number, row) for number, row in table.rows if number not in refused]
    report.notation = _notation(resource_class, headers, rows, decimal_mark, report)
    return headers, rows


def _headers(resource_class, table: Table, report: ImportReport) -> list[str]:
    """The table's headers as the resource's column names (matched ignoring case and spaces); reports duplicate,
    missing and ignored columns."""
    wanted = {_normal(column): column for column in resource_class.column_names()}
    headers = []
    for header in table.headers:
        column = wanted.get(_normal(header))
        if column in headers:
            report.errors.append(ImportProblem(1, header, "this column appears twice"))
        elif column is None:
            if header:
                report.ignored_columns.append(header)
            headers.append(f"(ignored) {header}#{len(headers)}")
        else:
            headers.append(column)
    for column in resource_class.required:
        if column not in headers:
            report.errors.append(ImportProblem(0, column, "this column is missing"))
    return headers


def _refuse_formulas_without_value(table: Table, headers: list[str], report: ImportReport) -> set[int]:
    """Report every formula cell without a computed value; returns the numbers of the rows it refuses."""
    # Read as empty, such a cell would drop an optional value (a payment's tranche) without a word.
    refused = set()
    for number, index in table.formulas_without_value():
        column = headers[index]
        if column.startswith("(ignored) "):
            column = table.headers[index] or get_column_letter(index + 1)
        report.errors.append(ImportProblem(number, column, FORMULA_WITHOUT_VALUE))
        refused.add(number)
    return refused


def _notation(resource_class, headers: list[str], rows, decimal_mark: str | None, report: ImportReport) -> Notation:
    """The decimal separator chosen for the import, or else the one the file's amounts show."""
    if decimal_mark:
        return Notation(decimal_mark, chosen=True)
    columns = [headers.index(column) for column in resource_class.amount_columns() if column in headers]
    try:
        return detect_notation((number, row[index]) for number, row in rows for index in columns)
    except SpreadsheetError as exc:
        report.errors.append(ImportProblem(0, ", ".join(resource_class.amount_columns()), str(exc)))
        return Notation(conflicting=True)


def _normal(name: str) -> str:
    return " ".join(str(name).replace("_", " ").lower().split())


def _collect(resource, result, report: ImportReport) -> None:
    """Counts, changes and errors from import-export's result, with spreadsheet row numbers and column names."""
    totals = result.totals
    report.created = totals[RowResult.IMPORT_TYPE_NEW]
    report.updated = totals[RowResult.IMPORT_TYPE_UPDATE]
    report.unchanged = totals[RowResult.IMPORT_TYPE_SKIP]
    report.changes = resource.changes
    for invalid in result.invalid_rows:
        number = resource.row_numbers[invalid.number - 1]
        for name, messages in invalid.error_dict.items():
            column = "" if name == "__all__" else resource.column(name)
            for message in messages:
                report.errors.append(ImportProblem(number, column, str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            report.errors.append(ImportProblem(resource.row_numbers[number - 1], "", str(error.error)))
    for error in result.base_errors:
        report.errors.append(ImportProblem(0, "", f"the database refused the rows: {error.error}"))
    report.errors.sort(key=lambda e: (e.row, e.column))
