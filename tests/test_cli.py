"""The `programme-tracker` console script, run as a new user would, on throw-away sites in a temporary folder."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import django.core.management
import pytest
from django.core.management import find_commands, get_commands, load_command_class

from tests.processes import free_port

pytestmark = pytest.mark.cli
CLI = str(Path(sys.executable).parent / "programme-tracker")


def environment(sites: Path) -> dict[str, str]:
    """The environment of the CLI with `sites` as its sites folder: no PT_ setting of the suite's own site leaks in,
    so the database of these sites is SQLite whatever the suite uses."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PT_")}
    env |= {"PT_SITES_DIR": str(sites), "PT_ADMIN_PASSWORD": "first-admin-password"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """A site database migrated once, by the command itself, for the whole session: each test's sites start from a
    copy of it instead of migrating from scratch in every command (the migrations took most of these tests' time)."""
    sites = tmp_path_factory.mktemp("migrated-sites")
    (sites / "default").mkdir()
    subprocess.run([CLI, "migrate", "--verbosity", "0"], env=environment(sites), check=True, capture_output=True,
                   text=True, timeout=300)
    database = sites / "default" / "db.sqlite3"
    with sqlite3.connect(database) as db:  # the site runs in WAL mode: fold the log into the file that is copied
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return database


@pytest.fixture
def run(tmp_path, migrated_database):
    """Run the CLI with its own sites folder, whose 'default' site starts with a migrated, empty database (no base
    data, no accounts), as a new site is after its first `migrate`."""
    env = environment(tmp_path)
    (tmp_path / "default").mkdir()
    shutil.copyfile(migrated_database, tmp_path / "default" / "db.sqlite3")

    def call(*args, check=True, **kwargs):
        result = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    call.env, call.sites = env, tmp_path
    return call


def project_commands() -> dict[str, str]:
    """Every management command of the project's own apps, spelt as the CLI shows it, with its whole help (not the
    project's versions of Django's own commands: makemessages, a developer's tool, is one)."""
    djangos = set(find_commands(str(Path(django.core.management.__file__).parent)))
    return {name.replace("_", "-"): load_command_class(app, name).help
            for name, app in get_commands().items() if app.startswith("programme_tracker.") and name not in djangos}


def test_help_lists_the_main_commands(run):
    """`--help` lists every command of the project with the first line of the command's own help (each one line);
    `help` lists every command, Django's included."""
    out = run("--help").stdout
    section = out.split("Main commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    listed = dict(re.fullmatch(r"  (\S+) +(\S.*)", line).groups() for line in section)
    expected = {name: text.strip().splitlines()[0] for name, text in project_commands().items()}
    assert {"serve", "scan", "worker", "scheduler", "run-job", "sync-roles"} <= set(expected)
    assert listed == expected | {"help": "List every command, Django's included."}
    assert all(len(line) <= 120 for line in section)
    assert "--site SITE" in out
    everything = run("help").stdout
    assert "migrate" in everything and all(name.replace("-", "_") in everything for name in expected)


def test_setup_demo_export_import_round_trip(run, tmp_path, migrated_database):
    setup = run("setup", "--no-input").stdout
    assert "25 recommendations" in setup and "first administrator 'admin'" in setup
    assert "Demo account 'coordinator'" in run("demo").stdout
    run("export-portfolio", str(tmp_path / "one.json"))

    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / "site_config.json").write_text("{}")
    shutil.copyfile(migrated_database, tmp_path / "fresh" / "db.sqlite3")
    run("--site", "fresh", "migrate", "--verbosity", "0")
    run("--site", "fresh", "sync-roles")
    assert "Import complete." in run("--site", "fresh", "import-portfolio", str(tmp_path / "one.json")).stdout
    run("--site=fresh", "export-portfolio", str(tmp_path / "two.json"))
    assert (tmp_path / "one.json").read_text() == (tmp_path / "two.json").read_text()
    assert len(json.loads((tmp_path / "two.json").read_text())["programmes"]) == 11


def test_setup_says_whether_it_created_the_database_or_found_it_up_to_date(run, tmp_path):
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "site_config.json").write_text("{}")
    first = run("--site", "new", "setup", "--no-input").stdout
    assert re.search(r"Created the database \(\d+ migrations\)\.", first) and "Database is up to date" not in first
    again = run("--site", "new", "setup", "--no-input").stdout
    assert "Database is up to date." in again and "Created the database" not in again


def test_import_of_a_bad_file_names_the_record_and_changes_nothing(run, tmp_path):
    run("demo")
    document = json.loads(run("export-portfolio").stdout)
    document["funding_periods"][0]["end"] = "1999-01-01"
    (tmp_path / "bad.json").write_text(json.dumps(document))
    result = run("import-portfolio", str(tmp_path / "bad.json"), check=False)
    assert result.returncode == 1
    assert f"funding_periods {document['funding_periods'][0]['code']}: end:" in result.stderr
    assert "nothing was imported" in result.stderr
    assert json.loads(run("export-portfolio").stdout)["funding_periods"][0]["end"] != "1999-01-01"


def test_configuration_error_names_the_setting(run):
    bad = run.sites / "broken"
    bad.mkdir()
    (bad / "site_config.json").write_text('{"db_port": "three"}')
    result = run("--site", "broken", "check", check=False)
    assert result.returncode == 2
    assert "setting db_port" in result.stderr and "Traceback" not in result.stderr


def test_add_user_in_a_role(run):
    run("setup", "--no-input")
    out = run("add-user", "jdoe", "--role", "Monitor").stdout
    # Not a terminal: the generated password goes to a file only its owner reads, never into the output (a log).
    path = run.sites / "default" / "passwords" / "jdoe.txt"
    assert out.startswith(f"Created jdoe (Monitor); password in {path} (readable only by its owner")
    assert path.read_text().strip() not in out and path.stat().st_mode & 0o077 == 0
    result = run("add-user", "jane", "--role", "Monitor", "--password", "12345678", check=False)
    assert result.returncode == 1 and "password: This password is too common." in result.stderr


def job_runs(site_dir: Path) -> list[tuple[str, str]]:
    """The recorded job runs of an embedded (SQLite) site, read straight from its database file."""
    import sqlite3

    with sqlite3.connect(site_dir / "db.sqlite3", timeout=20) as db:
        return db.execute("SELECT job, outcome FROM core_jobrun ORDER BY id").fetchall()


def test_serve_sets_up_answers_and_runs_the_jobs_in_process(run):
    port = free_port()
    # The daily scan is due from midnight on, so it runs as soon as the server starts.
    env = run.env | {"PT_DAILY_SCAN_TIME": "00:00"}
    server = subprocess.Popen([CLI, "serve", f"127.0.0.1:{port}", "--no-input"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/desk/login/", timeout=5) as response:
                    status, page = response.status, response.read().decode()
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.3)
        assert status == 200 and "Programme Tracker" in page
        # Every scheduled job runs once at start (modules add their own: purge-imports, retention, …).
        expected = {("daily-scan", "succeeded"), ("deliver-notifications", "succeeded"),
                    ("purge-imports", "succeeded")}
        while time.monotonic() < deadline and not expected <= set(job_runs(run.sites / "default")):
            time.sleep(0.3)
        runs = set(job_runs(run.sites / "default"))
        assert expected <= runs and {outcome for _job, outcome in runs} == {"succeeded"}, runs
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Created the first administrator 'admin'." in output
    assert "Background jobs (daily scan, e-mail and webhook delivery) run in this process." in output
    assert f"the desk is at http://127.0.0.1:{port}/desk/" in output


def test_scan_prints_every_kind_of_alert_of_the_demo(run):
    run("setup", "--no-input")
    run("demo")
    alerts = json.loads(run("scan", "--json").stdout)
    # Every kind but overspend, and the two that need time to pass (decision-needed, task-force-not-meeting).
    assert len({alert["rule"] for alert in alerts}) == 15
    assert all(set(alert) >= {"rule", "subject", "key_date", "severity", "state"} for alert in alerts)
    text = run("scan", "--as-of", "2030-01-01", "--dry-run").stdout
    assert text.startswith("Scan as of 2030-01-01") and "Dry run: nothing was saved." in text
    # Amounts one way, as the desk writes them in English: grouped, two decimals (also a sum of no payments).
    assert "paid so far: €0.00)" in text and re.search(r"€\d{1,3}(,\d{3})+\.\d\d\b", text)
    assert not re.search(r"\b\d{4,}(\.\d\d)? EUR", text)
    assert "--as-of: 'tomorrow' is not a date" in run("scan", "--as-of", "tomorrow", check=False).stderr
    assert "no job 'nightly'" in run("run-job", "nightly", check=False).stderr
