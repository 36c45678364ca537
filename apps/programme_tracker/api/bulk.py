"""Bulk writes of money records: the spreadsheet import's service behind a second door. A finance system posts a
month of payments as JSON rows with the import's column names; they are checked all together, with the same rules,
and written all or nothing (or, with dry_run, only checked), the problems named by row and column."""

import csv
import io

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from programme_tracker.finance.imports import KINDS, import_money
from programme_tracker.finance.spreadsheet import Notation

MOST_ROWS = 5000  # per request: a month of a ministry's payments fits many times over
# The API's amounts are JSON numbers or text with a decimal point (1234.56, "1,234.56"), as its guide says.
API_NOTATION = Notation(".", chosen=True, why="as the API writes amounts")


class BulkSerializer(serializers.Serializer):
    """The request: `rows`, each an object with the import's columns (as in its spreadsheet), and `dry_run`."""

    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=MOST_ROWS)
    dry_run = serializers.BooleanField(default=False)


def _cell(value) -> str:
    """A JSON value as the CSV cell the import reads: numbers with a decimal point, nothing else changed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValidationError({"rows": [_("A value is true or false where text, a number or a date belongs.")]})
    if isinstance(value, dict | list):
        raise ValidationError({"rows": [_("A value is an object or a list where text, a number or a date belongs.")]})
    if "\x00" in str(value):  # (the import would take the file for something other than CSV)
        raise ValidationError({"rows": [_("A value holds a NUL character.")]})
    return str(value)


# The API's own field names where they differ from the spreadsheet's columns by more than "_" for " ".
FIELD_COLUMNS = {"period_start": "from", "period_end": "to"}


def column_name(name: str) -> str:
    """A row's key as the import's column: the spreadsheet's ("paid on") or the API's field name ("paid_on")."""
    return FIELD_COLUMNS.get(name, name.replace("_", " "))


def run(kind: str, rows: list[dict], *, user, dry_run: bool) -> dict:
    """Check (and unless `dry_run`, write) the rows as one import; the report with rows numbered from 1 as posted."""
    columns = KINDS[kind].column_names()
    rows = [{column_name(name): value for name, value in row.items()} for row in rows]
    # A key the import does not know is a problem of the first row that has it, reported as any other row's.
    unknown, known = {}, set(columns)
    for number, row in enumerate(rows, start=1):
        for name in row.keys() - known:
            unknown.setdefault(name, number)
    if unknown:
        return {"committed": False, "dry_run": dry_run, "rows": len(rows), "created": 0, "updated": 0,
                "unchanged": 0,
                "errors": [{"row": number, "column": name,
                            "message": _("Unknown column. The columns are: %(columns)s.") % {
                                "columns": ", ".join(columns)}}
                           for name, number in sorted(unknown.items(), key=lambda item: (item[1], item[0]))]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    report = import_money(kind, out.getvalue().encode("utf-8"), "api.csv", user=user, commit=not dry_run,
                          decimal_mark=API_NOTATION)
    return {
        "committed": report.committed, "dry_run": dry_run, "rows": report.rows, "created": report.created,
        "updated": report.updated, "unchanged": report.unchanged,
        # The spreadsheet's row 2 is the first row posted.
        "errors": [{"row": problem.row - 1 if problem.row else None, "column": problem.column,
                    "message": problem.message} for problem in report.errors],
    }
