"""`add-user USERNAME --role ROLE`: create a staff account in one of the roles."""

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.accounts.roles import ROLES
from programme_tracker.accounts.services import create_account


class Command(BaseCommand):
    """Create a staff account in a role, printing its password when one was generated."""

    help = "Create a staff account in a role. Without --password a random password is generated and printed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: generated and printed")

    def handle(self, *args, username, role, email, password, **options):
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"an account named {username!r} exists already")
        _user, used = create_account(username, role, email=email, password=password)
        shown = "(as given)" if password else used
        self.stdout.write(f"Created {username} ({role}); password: {shown}")
