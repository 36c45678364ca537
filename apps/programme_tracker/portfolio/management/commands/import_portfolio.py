"""`import-portfolio FILE`: create or update the portfolio from JSON, all or nothing."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.portfolio.exchange import PortfolioImportError, import_portfolio


class Command(BaseCommand):
    """Load a portfolio document; on any problem nothing is changed and every problem is listed."""

    help = "Create or update organisations, recommendations, programmes and funding periods from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a portfolio document ('-' for standard input)")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                document = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    document = json.load(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        try:
            counts = import_portfolio(document)
        except PortfolioImportError as exc:
            raise CommandError(str(exc)) from None
        for section, numbers in counts.items():
            summary = ", ".join(f"{n} {what}" for what, n in numbers.items() if n)
            if summary:
                self.stdout.write(f"{section}: {summary}")
        self.stdout.write("Import complete.")
