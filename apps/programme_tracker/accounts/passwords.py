"""Handing a generated password to the person who ran a command: on their terminal, or else in a file only they
can read, never in the output (which under honcho or systemd ends up in a server log)."""

import os
import re
from pathlib import Path

from django.conf import settings


def password_file(username: str) -> Path:
    """Where a generated password for this account is written when nobody is at a terminal."""
    return Path(settings.SITE_DIR) / "passwords" / f"{re.sub(r'[^A-Za-z0-9@.+_-]', '_', username)}.txt"


def write_password_file(username: str, password: str) -> Path:
    """Write the password to the account's file, readable and writable by its owner alone; returns the path."""
    path = password_file(username)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    # Created with mode 0600 in one step (no moment when others could read it); an old file is emptied first, and
    # a symbolic link in its place is refused rather than followed.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return path


def hand_over(username: str, password: str, stream) -> str:
    """The sentence that gives a generated password: the password itself when `stream` is an interactive terminal,
    otherwise where the owner-only file holding it is."""
    if stream.isatty():
        return f"password {password!r} (change it in the desk)"
    path = write_password_file(username, password)
    return (f"password in {path} (readable only by its owner; not printed, since this output is not a terminal "
            "and may be kept in a log). Delete the file once the password is passed on or changed")
