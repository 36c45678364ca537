"""`export-portfolio [FILE]`: write the whole portfolio as JSON (docs/portfolio-format.md)."""

import json
import sys

from django.core.management.base import BaseCommand

from programme_tracker.portfolio.exchange import export_portfolio


class Command(BaseCommand):
    """Write the portfolio document to a file or standard output."""

    help = "Write the whole portfolio as JSON to FILE (default: standard output)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: standard output")

    def handle(self, *args, file=None, **options):
        text = json.dumps(export_portfolio(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        if file and file != "-":
            with open(file, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote the portfolio to {file}.")
        else:
            sys.stdout.write(text)
