"""`import-money KIND FILE [--commit]`: the desk's spreadsheet import from the command line."""

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.finance.imports import KINDS, import_money


class Command(BaseCommand):
    """Check (and with --commit, import) a spreadsheet of budget lines, payments or expenditure."""

    help = ("Import an XLSX or CSV file of budget lines, payments or expenditure. Without --commit it is a dry run; "
            "with it, all rows are saved or, on any problem, none.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="save the rows (default: only check them)")

    def handle(self, *args, kind, file, commit, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        report = import_money(kind, data, file, commit=commit)
        if report.ignored_columns:
            self.stdout.write(f"ignored columns: {', '.join(report.ignored_columns)}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); nothing was imported:\n"
                               + "\n".join(str(error) for error in report.errors))
        verb = "imported" if report.committed else "dry run (nothing saved; add --commit to import)"
        self.stdout.write(f"{report.rows} rows {verb}: {report.created} created, {report.updated} updated, "
                          f"{report.unchanged} unchanged.")
