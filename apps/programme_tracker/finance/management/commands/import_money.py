"""`import-money KIND FILE [--commit] [--sheet NAME] [--decimal-comma | --decimal-point]`: the desk's spreadsheet
import from the command line."""

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.finance.imports import KINDS, import_money
from programme_tracker.finance.spreadsheet import MARK_NAMES


class Command(BaseCommand):
    """Check (and with --commit, import) a spreadsheet of budget lines, payments or expenditure."""

    help = ("Import an XLSX or CSV file of budget lines, payments or expenditure. Without --commit it is a dry run; "
            "with it, all rows are saved or, on any problem, none.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="save the rows (default: only check them)")
        parser.add_argument("--sheet", help="the sheet of an XLSX file to read (default: the only one with data)")
        marks = parser.add_mutually_exclusive_group()
        marks.add_argument("--decimal-comma", dest="decimal_mark", action="store_const", const=",",
                           help="amounts such as 12.345 are thousands (default: as the file's other amounts show)")
        marks.add_argument("--decimal-point", dest="decimal_mark", action="store_const", const=".",
                           help="amounts such as 12,345 are thousands (default: as the file's other amounts show)")

    def handle(self, *args, kind, file, commit, sheet=None, decimal_mark=None, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        report = import_money(kind, data, file, commit=commit, decimal_mark=decimal_mark, sheet=sheet)
        self.describe_reading(report)
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); nothing was imported:\n"
                               + "\n".join(str(error) for error in report.errors))
        verb = "imported" if report.committed else "dry run (nothing saved; add --commit to import)"
        rows = f"{report.rows} row" + ("s" if report.rows != 1 else "")
        self.stdout.write(f"{rows} {verb}: {report.created} created, {report.updated} updated, "
                          f"{report.unchanged} unchanged.")

    def describe_reading(self, report) -> None:
        """Which sheet was read, with which decimal separator, and which columns were ignored."""
        if report.sheet:
            self.stdout.write(f"sheet read: {report.sheet!r}")
        notation = report.notation
        if notation.decimal_mark:
            self.stdout.write(f"decimal separator: {MARK_NAMES[notation.decimal_mark]} ({notation.reason()})")
        if report.ignored_columns:
            self.stdout.write(f"ignored columns: {', '.join(report.ignored_columns)}")
