"""`setup`: migrate, load the base fixtures once, sync roles and create the first administrator."""

from django.core.management.base import BaseCommand

from programme_tracker.setup.services import ensure_first_administrator, prepare_site


class Command(BaseCommand):
    """Prepare the site without starting a server (used by the Procfile and deployments)."""

    help = "Migrate, load the base fixtures once, sync the roles and create the first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--no-input", action="store_true", help="never prompt for a password")

    def handle(self, *args, no_input=False, **options):
        prepare_site(self.stdout.write)
        ensure_first_administrator(self.stdout.write, prompt=not no_input, terminal=self.stdout)
