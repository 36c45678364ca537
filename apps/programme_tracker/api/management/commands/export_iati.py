"""`export-iati`: write the IATI 2.03 activities file of the programmes marked public (for the IATI Registry)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programme_tracker.api.iati import NothingToPublish, activities


class Command(BaseCommand):
    """Write the portfolio's public programmes as IATI 2.03 activity XML to a file or standard output."""

    help = "Write the programmes marked public as an IATI 2.03 activities file (money only where marked public)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")

    def handle(self, *args, output, **options):
        if settings.SITE_URL_IS_DEFAULT:
            self.stderr.write(f"Note: the links in the file start with {settings.SITE_URL}, the default site_url; set "
                              "site_url to the site's public address before publishing it.")
        try:
            data = activities()
        except NothingToPublish as nothing:
            raise CommandError(str(nothing)) from None
        if output == "-":
            sys.stdout.buffer.write(data)
            return
        try:
            with open(output, "wb") as file:
                file.write(data)
        except OSError as exc:
            raise CommandError(f"--output: cannot write {output}: {exc.strerror}") from None
        self.stderr.write(f"Wrote {output} ({len(data):,} bytes).")
