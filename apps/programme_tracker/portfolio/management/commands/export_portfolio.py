"""`export-portfolio [FILE] [--without-people]`: write the whole portfolio as JSON (docs/portfolio-format.md)."""

import json
import sys

from django.core.management.base import BaseCommand

from programme_tracker.core import audit
from programme_tracker.core.models import AuditEvent
from programme_tracker.portfolio.exchange import export_portfolio


class Command(BaseCommand):
    """Write the portfolio document to a file or standard output."""

    help = "Write the whole portfolio as JSON to FILE (default: standard output)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: standard output")
        parser.add_argument("--without-people", action="store_true",
                            help="no names or e-mail addresses: each person is a pseudonymous reference "
                                 "(person-…), the same in every export of this site")

    def handle(self, *args, file=None, without_people=False, **options):
        document = export_portfolio(without_people=without_people)
        audit.record(AuditEvent.Kind.EXPORT, username=audit.command_line(),
                     detail="export-portfolio" + (" --without-people" if without_people else "") + f" {file or '-'}")
        text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        if file and file != "-":
            with open(file, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote the portfolio to {file}.")
        else:
            sys.stdout.write(text)
