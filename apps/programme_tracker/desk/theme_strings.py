"""The admin theme's own words that the desk shows and that neither the theme (Unfold ships no Dutch) nor Django
translates. Listed here so that the project's Dutch catalog carries them (`make messages` keeps what it finds in the
code); the catalog is in LOCALE_PATHS, so its translations are used for the theme's templates too."""

from django.utils.translation import gettext_noop

THEME_STRINGS = [
    gettext_noop("Add new item"), gettext_noop("Add row"), gettext_noop("All applications"),
    gettext_noop("Apply Filters"), gettext_noop("Change History"), gettext_noop("Click to cancel"),
    gettext_noop("Collapse"), gettext_noop("Dark"), gettext_noop("Date from"), gettext_noop("Date to"),
    gettext_noop("Default"), gettext_noop("Edit"), gettext_noop("Expand row"), gettext_noop("False"),
    gettext_noop("General"), gettext_noop("Go back"), gettext_noop("Light"), gettext_noop("Loading more results..."),
    gettext_noop("More actions"), gettext_noop("New"), gettext_noop("No data"), gettext_noop("No recent searches"),
    gettext_noop("No results found"), gettext_noop("No results matching your query"),
    gettext_noop("Recent searches"), gettext_noop("Reset filters"), gettext_noop("Reset to default"),
    gettext_noop("Run"), gettext_noop("Select action"), gettext_noop("Select action to run"),
    gettext_noop("Select all rows"), gettext_noop("Select record"), gettext_noop("Select value"),
    gettext_noop("Submit"), gettext_noop("System"), gettext_noop("This item will be deleted."),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("This page yielded into no results. Create a new item or reset your filters."),
    gettext_noop("Toggle password visibility"), gettext_noop("True"), gettext_noop("Type to search"),
    gettext_noop("Value"), gettext_noop("You have been successfully logged out from the administration"),
    # Django's own Dutch inflects the adjective wrongly before a neuter noun ("Geselecteerde programma") and puts
    # a capital mid-sentence ("Nog een Financieringsperiode"): the project's catalog says it otherwise.
    gettext_noop("Add another %(verbose_name)s"), gettext_noop("Add another %(model)s"),
    gettext_noop("Change selected %(model)s"), gettext_noop("View selected %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    # The date filters' and widgets' placeholders; a date range's end is inclusive (__lte): "tot en met".
    gettext_noop("From"), gettext_noop("To"), gettext_noop("Date"), gettext_noop("Time"),
]
