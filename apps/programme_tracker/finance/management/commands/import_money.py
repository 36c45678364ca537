"""`import-money KIND FILE [--commit] [--sheet NAME] [--decimal-comma | --decimal-point] [--no-progress]`: the
desk's spreadsheet import from the command line, with a progress bar on standard error."""

import os

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.core import audit
from programme_tracker.core.models import AuditEvent
from programme_tracker.finance.imports import KINDS, import_money
from programme_tracker.finance.progress import CHECKING, READING, SAVING, Progress, Snapshot
from programme_tracker.finance.spreadsheet import MARK_NAMES, ImportLimits, SpreadsheetError, check_file_size


class ProgressBar:
    """An import's progress on a stream: one line redrawn in place on a terminal; elsewhere (a log) a line at each
    stage and each tenth of the rows, so that the log stays short."""

    WIDTH = 30

    def __init__(self, stream, committing: bool):
        self.stream, self.committing = stream, committing
        self.terminal = stream.isatty()
        self.drawn = False
        self.last_logged: tuple | None = None
        self.width = 0

    def __call__(self, snapshot: Snapshot) -> None:
        """Draw the snapshot (Progress calls this at most a few times a second)."""
        line = self.line(snapshot)
        if self.terminal:
            self.write("\r" + line.ljust(self.width))  # over the previous line, which may have been longer
            self.width, self.drawn = len(line), True
        elif (key := (snapshot.stage, (snapshot.percent or 0) // 10)) != self.last_logged:
            self.write(line + "\n")
            self.last_logged = key

    def line(self, snapshot: Snapshot) -> str:
        """The progress as one line of text: stage, bar, percent, rows and time left."""
        if snapshot.stage == READING:
            return f"reading the file: {snapshot.read:,} rows read"
        if snapshot.stage == SAVING:
            return "saving the rows…" if self.committing else "finishing the dry run…"
        if snapshot.stage != CHECKING:
            return "starting…"
        filled = self.WIDTH * (snapshot.percent or 0) // 100
        left = "" if snapshot.seconds_left is None else f", {self.time_left(snapshot.seconds_left)}"
        return (f"checking rows [{'#' * filled}{'-' * (self.WIDTH - filled)}] {snapshot.percent:3d} % "
                f"({snapshot.checked:,} of {snapshot.total:,}{left})")

    @staticmethod
    def time_left(seconds: int) -> str:
        """The time left in words: seconds under a minute, else minutes."""
        return f"about {seconds} s left" if seconds < 60 else f"about {round(seconds / 60)} min left"

    def finish(self) -> None:
        """End the line redrawn on a terminal, so that what follows starts on its own line."""
        if self.drawn:
            self.write("\n")

    def write(self, text: str) -> None:
        # Written as is: no line ending added, and not coloured as Django colours errors on standard error.
        self.stream.write(text, style_func=str, ending="")
        self.stream.flush()


class Command(BaseCommand):
    """Check (and with --commit, import) a spreadsheet of budget lines, payments or expenditure."""

    help = ("Check an XLSX or CSV file of budget lines, payments or expenditure; with --commit, import it.\n"
            "Without --commit it is a dry run; with it, all rows are saved or, on any problem, none.")

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
        parser.add_argument("--no-progress", dest="progress", action="store_false",
                            help="draw no progress bar (by default it is drawn on standard error)")

    def handle(self, *args, kind, file, commit, sheet=None, decimal_mark=None, progress=True, **options):
        try:
            with open(file, "rb") as handle:
                # Refused before it is read when too large; a pipe or device tells no size, so read one byte more.
                check_file_size(os.fstat(handle.fileno()).st_size)
                data = handle.read(ImportLimits.from_settings().max_bytes + 1)
            check_file_size(len(data))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        except SpreadsheetError as exc:
            raise CommandError(f"{file}: {exc}") from None
        bar = ProgressBar(self.stderr, committing=commit) if progress else None
        try:
            report = import_money(kind, data, file, commit=commit, decimal_mark=decimal_mark, sheet=sheet,
                                  progress=Progress(bar, interval=0.2) if bar else None)
        finally:
            if bar:
                bar.finish()
        self.describe_reading(report)
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); nothing was imported:\n"
                               + "\n".join(str(error) for error in report.errors))
        if report.committed:
            audit.record(AuditEvent.Kind.IMPORT, username=audit.command_line(),
                         detail=f"import-money {kind} {file}: {report.rows} rows")
        verb = "imported" if report.committed else "dry run (nothing saved; add --commit to import)"
        rows = f"{report.rows} row" + ("s" if report.rows != 1 else "")
        self.stdout.write(f"{rows} {verb}: {report.created} created, {report.updated} updated, "
                          f"{report.unchanged} unchanged.")

    def describe_reading(self, report) -> None:
        """Which sheet was read (or in which encoding), with which decimal separator, and which columns were
        ignored."""
        if report.sheet:
            self.stdout.write(f"sheet read: {report.sheet!r}")
        if report.encoding:
            self.stdout.write(f"encoding: {report.encoding}")
        notation = report.notation
        if notation.decimal_mark:
            self.stdout.write(f"decimal separator: {MARK_NAMES[notation.decimal_mark]} ({notation.reason()})")
        if report.ignored_columns:
            self.stdout.write(f"ignored columns: {', '.join(report.ignored_columns)}")
