"""Run the installed command in other processes against the test database (server databases only). Tests that do
are marked `processes`, so that the fast set (`make test-fast`) leaves them out."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

CLI = str(Path(sys.executable).parent / "programme-tracker")


def needs_server_database():
    """Several processes need one database they all reach: MariaDB (the SQLite test database is in memory)."""
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database shared by several processes (runs on MariaDB in CI)")


def environment(**settings) -> dict:
    """The environment of a child process: this site, pointed at the test database, plus PT_<setting> values."""
    env = dict(os.environ)
    env["PT_DB_NAME"] = connection.settings_dict["NAME"]
    env.update({f"PT_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def start(*args, **settings) -> subprocess.Popen:
    """Start `programme-tracker ARGS` in the background."""
    return subprocess.Popen([CLI, *args], env=environment(**settings), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
