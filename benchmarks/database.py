"""The throw-away site the benchmarks run on: a temporary SQLite folder, or the MariaDB database
`programme_tracker_bench` on 127.0.0.1 as root (emptied first unless `--reuse`)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "apps"))
DATABASE = "programme_tracker_bench"


def configure(args) -> None:
    """Point the settings at a throw-away site before Django starts (args.mariadb, args.reuse)."""
    if args.mariadb:
        os.environ.update(PT_DB_TYPE="mariadb", PT_DB_NAME=DATABASE, PT_DB_HOST="127.0.0.1")
        if not getattr(args, "reuse", False):
            import MySQLdb

            server = MySQLdb.connect(host="127.0.0.1", user="root")
            server.cursor().execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            server.cursor().execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            server.close()
    os.environ.update(PT_SITES_DIR=tempfile.mkdtemp(prefix="pt-bench-"), PT_SITE="default",
                      DJANGO_SETTINGS_MODULE="programme_tracker.config.settings")
    os.environ.pop("PT_REDIS_URL", None)
    import django

    django.setup()
