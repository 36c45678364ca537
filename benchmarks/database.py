"""The throw-away site the benchmarks run on: a temporary SQLite folder, or the MariaDB database
`programme_tracker_bench` on 127.0.0.1 as root (emptied first unless `--reuse`; `PT_BENCH_DATABASE` names another,
so that two benchmarks can run side by side)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "apps"))
DATABASE = os.environ.get("PT_BENCH_DATABASE", "programme_tracker_bench")


def configure(args) -> None:
    """Point the settings at a throw-away site before Django starts (args.mariadb, args.reuse, args.redis_url)."""
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
    # No Redis unless asked for (args.redis_url): a benchmark must not queue jobs on someone else's Redis.
    if getattr(args, "redis_url", ""):
        os.environ["PT_REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("PT_REDIS_URL", None)
    import django

    django.setup()
