"""Django's makemessages, also finding the messages of alerts whose words follow a number (`counted`)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """The documented way to add a keyword: continuity's `counted(singular, plural)` marks both forms."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=counted:1,2"]
