"""Site set-up: everything `serve` does before the web server starts, safe to run any number of times."""

import getpass
import os
import secrets
import sys
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account, sync_roles
from programme_tracker.portfolio.services import load_base_data


def prepare_site(log: Callable[[str], None] = print) -> None:
    """Migrate the database, load the base fixtures once and bring the role groups up to date."""
    call_command("migrate", interactive=False, verbosity=0)
    log("Database is up to date.")
    if load_base_data():
        log("Loaded the First Report's 25 recommendations and the ministries it names.")
    sync_roles()
    log("Roles are up to date.")


def ask_password(username: str) -> str | None:
    """Prompt for the first administrator's password on a terminal; None when nobody is there to answer."""
    if not sys.stdin.isatty():
        return None
    while True:
        first = getpass.getpass(f"Password for the first administrator {username!r} (empty: generate one): ")
        if not first:
            return None
        if first == getpass.getpass("Again: "):
            return first
        print("The two passwords differ; try again.")


@transaction.atomic
def ensure_first_administrator(log: Callable[[str], None] = print, prompt: bool = True) -> None:
    """Create the first administrator when the site has none: password from PT_ADMIN_PASSWORD, asked or printed."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return
    username = os.environ.get("PT_ADMIN_USERNAME") or "admin"
    password = os.environ.get("PT_ADMIN_PASSWORD") or (ask_password(username) if prompt else None)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    create_account(username, roles.ADMINISTRATOR, password=password, superuser=True)
    if generated:
        log(f"Created the first administrator: user name {username!r}, password {password!r} (change it in the desk).")
    else:
        log(f"Created the first administrator {username!r}.")
