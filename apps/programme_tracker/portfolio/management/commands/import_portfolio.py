"""`import-portfolio FILE [--dry-run] [--update-accounts]`: create or update the portfolio from JSON, all or
nothing."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.core import audit
from programme_tracker.core.models import AuditEvent
from programme_tracker.portfolio.exchange import (
    PortfolioImportError,
    check_document_size,
    import_portfolio,
    largest_document,
    read_document,
)


class Command(BaseCommand):
    """Load a portfolio document; on any problem nothing is changed and every problem is listed."""

    help = ("Create or update the portfolio from a JSON file, all or nothing (docs/portfolio-format.md).\n"
            "Organisations, people, recommendations, programmes, funding periods and their money. Existing "
            "accounts are left as they are unless --update-accounts is given.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a portfolio document ('-' for standard input)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the document and list what would change; save nothing")
        parser.add_argument("--update-accounts", action="store_true",
                            help="also change existing accounts (names, e-mail, active, roles other than "
                                 "Administrator) as the document says, listing each change; never an administrator's")

    def handle(self, *args, file, dry_run=False, update_accounts=False, **options):
        try:
            document = read_document(self.read(file))
            result = import_portfolio(document, update_accounts=update_accounts, dry_run=dry_run)
        except PortfolioImportError as exc:
            raise CommandError(str(exc)) from None
        for section, numbers in result.counts.items():
            summary = ", ".join(f"{n} {what}" for what, n in numbers.items() if n)
            if summary:
                self.stdout.write(f"{section}: {summary}")
        if result.account_changes:
            self.stdout.write("Account changes:")
            for change in result.account_changes:
                self.stdout.write(f"  {change}")
        for kept in result.accounts_kept:
            self.stdout.write(kept)
        if not dry_run:
            audit.record(AuditEvent.Kind.IMPORT, username=audit.command_line(),
                         detail=f"import-portfolio {file}" + (" --update-accounts" if update_accounts else ""))
        self.stdout.write("Dry run: nothing was saved." if dry_run else "Import complete.")

    def read(self, file: str) -> bytes:
        """The file's bytes, at most one more than an import reads (read_document refuses a larger one); a file
        known to be larger is refused before it is read."""
        if file == "-":
            return sys.stdin.buffer.read(largest_document() + 1)
        try:
            with open(file, "rb") as handle:
                check_document_size(os.fstat(handle.fileno()).st_size)
                return handle.read(largest_document() + 1)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
