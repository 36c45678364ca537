"""`sync_roles`: create or update the role groups from roles.py."""

from django.core.management.base import BaseCommand

from programme_tracker.accounts.services import sync_roles


class Command(BaseCommand):
    """Create or update the role groups with their permissions."""

    help = "Create or update the role groups and their permissions (`setup` does it too)."

    def handle(self, *args, **options):
        for role, count in sync_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
