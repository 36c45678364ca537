"""`add-user USERNAME --role ROLE`: create a staff account in one of the roles."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programme_tracker.accounts.passwords import hand_over
from programme_tracker.accounts.roles import ROLES
from programme_tracker.accounts.services import create_account, validation_messages


class Command(BaseCommand):
    """Create a staff account in a role; a generated password is shown on a terminal, or else written to a file."""

    help = ("Create a staff account in a role.\n"
            "A given password must pass the site's password checks. Without --password one is generated: shown on "
            "a terminal, otherwise written to a file only you can read.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: generated (shown on a terminal, otherwise put in a file)")

    def handle(self, *args, username, role, email, password, **options):
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"an account named {username!r} exists already")
        try:
            _user, used = create_account(username, role, email=email, password=password)
        except ValidationError as exc:
            raise CommandError("the account was not created:\n  " + "\n  ".join(validation_messages(exc))) from None
        shown = "password as given" if password else hand_over(username, used, self.stdout)
        self.stdout.write(f"Created {username} ({role}); {shown}")
