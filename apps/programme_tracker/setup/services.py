"""Site set-up: everything `serve` does before the web server starts, safe to run any number of times."""

import getpass
import os
import secrets
import sys
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from programme_tracker.accounts import roles
from programme_tracker.accounts.passwords import hand_over
from programme_tracker.accounts.services import create_account, sync_roles, validation_messages
from programme_tracker.portfolio.services import load_base_data


def ensure_site_folder(log: Callable[[str], None] = print) -> None:
    """Create the site's folder and its static folder, and generate its secret key unless one is configured: the
    files a site needs beside its database, made here rather than when the settings are read."""
    settings.SITE_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # filled by collectstatic; WhiteNoise expects it
    if settings.SECRET_KEY_IS_TEMPORARY and not settings.SECRET_KEY_FILE.exists():
        key = secrets.token_urlsafe(50)
        settings.SECRET_KEY_FILE.touch(mode=0o600)  # only the site's owner reads it, from the first byte
        settings.SECRET_KEY_FILE.write_text(key, encoding="utf-8")
        log(f"Generated the site's secret key in {settings.SECRET_KEY_FILE}.")
    if settings.SECRET_KEY_IS_TEMPORARY:
        # This process goes on to serve (`serve`): it signs with the kept key from now on, as its successors will.
        settings.SECRET_KEY = settings.SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
        settings.SECRET_KEY_IS_TEMPORARY = False


def prepare_site(log: Callable[[str], None] = print) -> None:
    """Create the site's folder and key, migrate the database, load the base fixtures once and bring the role
    groups up to date."""
    ensure_site_folder(log)
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    applied = executor.loader.applied_migrations
    call_command("migrate", interactive=False, verbosity=0)
    if not applied:
        log(f"Created the database ({len(pending)} migrations).")
    elif pending:
        log(f"Brought the database up to date ({len(pending)} new migrations).")
    else:
        log("Database is up to date.")
    if load_base_data():
        log("Loaded the First Report's 25 recommendations and the ministries it names.")
    sync_roles()
    log("Roles are up to date.")


def ask_password(username: str) -> str | None:
    """Prompt for the first administrator's password on a terminal until it passes the site's password checks;
    None when nobody is there to answer."""
    if not sys.stdin.isatty():
        return None
    while True:
        first = getpass.getpass(f"Password for the first administrator {username!r} (empty: generate one): ")
        if not first:
            return None
        try:
            validate_password(first, get_user_model()(username=username))
        except ValidationError as exc:
            print("Not accepted: " + " ".join(exc.messages) + " Try another.")
            continue
        if first == getpass.getpass("Again: "):
            return first
        print("The two passwords differ; try again.")


@transaction.atomic
def ensure_first_administrator(log: Callable[[str], None] = print, prompt: bool = True, terminal=None) -> None:
    """Create the first administrator when the site has none: password from PT_ADMIN_PASSWORD or asked (either must
    pass the site's password checks), else generated and handed over: shown when `terminal` (the output stream) is
    an interactive terminal, otherwise written to a file only its owner can read."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return
    username = os.environ.get("PT_ADMIN_USERNAME") or "admin"
    password = os.environ.get("PT_ADMIN_PASSWORD") or (ask_password(username) if prompt else None)
    try:
        _user, used = create_account(username, roles.ADMINISTRATOR, password=password, superuser=True)
    except ValidationError as exc:
        # The user name and password may have come from PT_ADMIN_USERNAME and PT_ADMIN_PASSWORD: say so.
        raise CommandError("the first administrator was not created (PT_ADMIN_USERNAME, PT_ADMIN_PASSWORD):\n  "
                           + "\n  ".join(validation_messages(exc))) from None
    if password is None:
        log(f"Created the first administrator: user name {username!r}, "
            f"{hand_over(username, used, terminal or sys.stdout)}.")
    else:
        log(f"Created the first administrator {username!r}.")
