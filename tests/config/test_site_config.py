"""Site configuration: defaults, site_config.json, environment overrides, and errors that name the setting."""

import json
import os
import subprocess
import sys

import pytest

from programme_tracker.config import site_config
from programme_tracker.config.site_config import SiteConfigError, load
from programme_tracker.setup.services import ensure_site_folder


@pytest.fixture
def sites(tmp_path, monkeypatch):
    monkeypatch.setenv("PT_SITES_DIR", str(tmp_path))
    return tmp_path


def write(sites, site, data):
    (sites / site).mkdir(parents=True, exist_ok=True)
    (sites / site / "site_config.json").write_text(json.dumps(data) if not isinstance(data, str) else data)


def test_default_site_needs_no_file_and_uses_embedded_sqlite(sites):
    config = load("default", environ={})
    assert config["db_type"] == "sqlite" and config["redis_url"] == ""
    assert site_config.database(config)["NAME"] == str(sites / "default" / "db.sqlite3")


def test_file_then_environment(sites):
    write(sites, "prod", {"db_type": "mariadb", "db_port": 3307, "debug": True})
    config = load("prod", environ={"PT_DB_PORT": "3308", "PT_ALLOWED_HOSTS": "a.example, b.example"})
    assert (config["db_type"], config["db_port"], config["debug"]) == ("mariadb", 3308, True)
    assert config["allowed_hosts"] == ["a.example", "b.example"]
    database = site_config.database(config)
    assert database["ENGINE"] == "django.db.backends.mysql" and database["OPTIONS"]["charset"] == "utf8mb4"
    assert "STRICT_TRANS_TABLES" in database["OPTIONS"]["init_command"]


@pytest.mark.parametrize(("data", "environ", "message"), [
    ({"db_port": "abc"}, {}, "setting db_port"),
    ({"db_type": "postgres"}, {}, "setting db_type"),
    ({"debug": "maybe"}, {}, "setting debug"),
    ({}, {"PT_MAIL_PORT": "x"}, "setting mail_port (environment variable PT_MAIL_PORT)"),
    ({"mail_reply_to": "secretariaat@example.org\nBcc: everyone@example.org"}, {}, "setting mail_reply_to"),
    ({"mail_reply_to": "the secretariat"}, {}, "setting mail_reply_to"),
    ({"db_prot": 3306}, {}, "unknown setting db_prot"),
    ("{not json", {}, "not valid JSON (line 1"),
])
def test_bad_settings_are_named(sites, data, environ, message):
    write(sites, "bad", data)
    with pytest.raises(SiteConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load("bad", environ=environ)


def test_unknown_site_is_refused(sites):
    with pytest.raises(SiteConfigError, match="site 'nowhere' has no"):
        load("nowhere", environ={})


def test_reading_the_settings_writes_nothing_and_setup_generates_the_key_once(sites, settings):
    config = load("default", environ={})
    assert site_config.secret_key(config) == "" and not config.site_dir.exists()  # not even the folder
    settings.SITE_DIR, settings.STATIC_ROOT = config.site_dir, config.site_dir / "static"
    settings.SECRET_KEY_FILE, settings.SECRET_KEY_IS_TEMPORARY = site_config.secret_key_file(config), True
    ensure_site_folder(log=lambda line: None)
    first = site_config.secret_key(config)
    assert len(first) > 40 and first == settings.SECRET_KEY and not settings.SECRET_KEY_IS_TEMPORARY
    assert site_config.secret_key_file(config).stat().st_mode & 0o077 == 0  # only the owner reads it
    settings.SECRET_KEY_IS_TEMPORARY = True
    ensure_site_folder(log=lambda line: None)
    assert site_config.secret_key(config) == first and (config.site_dir / "static").is_dir()


SETTINGS_REFERENCE = site_config.REPO_ROOT / "docs" / "operations" / "sites-and-settings.md"


def documented_settings_table(text: str) -> str:
    """The settings table of the settings reference page: the block of table lines from its header row on."""
    lines = text.splitlines()
    header = site_config.reference_markdown().splitlines()[0]
    assert header in lines, f"{SETTINGS_REFERENCE.name} has no settings table (a line {header!r})"
    table = []
    for line in lines[lines.index(header):]:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table)


def test_settings_reference_is_current():
    """The documented table is exactly the generated one: a setting missing, left over, out of order or with a
    wrong type, default or meaning fails. Regenerate it with
    `.venv/bin/python -c "from programme_tracker.config.site_config import reference_markdown as r; print(r())"`."""
    documented = documented_settings_table(SETTINGS_REFERENCE.read_text(encoding="utf-8"))
    assert documented == site_config.reference_markdown()


@pytest.mark.parametrize("change", ["drop a setting", "add a setting", "change a default"])
def test_settings_reference_check_sees_a_stale_table(change):
    """The comparison above fails on a table that drifted from SETTINGS, also when the drift is at its end."""
    current = site_config.reference_markdown()
    lines = current.splitlines()
    stale = {
        "drop a setting": lines[:-1],
        "add a setting": [*lines, "| `gone` | `PT_GONE` | text | (empty) | A setting that no longer exists. |"],
        "change a default": [line.replace("`25`", "`26`") for line in lines],
    }[change]
    page = "# Settings\n\n" + "\n".join(stale) + "\n\nMore text.\n"
    assert documented_settings_table(page) != current


def test_without_redis_each_process_caches_in_its_own_memory(sites):
    assert site_config.cache(load("default", environ={}))["BACKEND"].endswith("LocMemCache")


def test_with_redis_the_cache_is_shared_in_the_database_after_the_jobs(sites):
    write(sites, "prod", {"db_type": "mariadb", "redis_url": "redis://127.0.0.1:6379/0"})
    write(sites, "other", {"db_type": "mariadb", "db_name": "other", "redis_url": "redis://127.0.0.1:6379/0"})
    prod, other = (site_config.cache(load(site, environ={})) for site in ("prod", "other"))
    assert prod["BACKEND"] == "programme_tracker.core.cache.TolerantRedisCache"
    assert prod["LOCATION"] == "redis://127.0.0.1:6379/1"  # emptying the cache never empties the job queues
    assert prod["KEY_PREFIX"] != other["KEY_PREFIX"]  # two sites on one Redis never read each other's figures
    assert prod["OPTIONS"]["socket_connect_timeout"] <= 2  # a Redis that does not answer does not hold a page up


@pytest.mark.parametrize(("redis_url", "location"), [
    ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
    ("redis://:secret@cache.example:6380/3", "redis://:secret@cache.example:6380/4"),
    ("rediss://cache.example/0?ssl_cert_reqs=none", "rediss://cache.example/1?ssl_cert_reqs=none"),
    ("redis://127.0.0.1:6379/0?db=5", "redis://127.0.0.1:6379/0?db=6"),
    ("unix:///run/redis/redis.sock", "unix:///run/redis/redis.sock?db=1"),
])
def test_the_cache_location_is_the_next_redis_database(redis_url, location):
    assert site_config.cache_location(redis_url) == location


def test_the_web_server_refuses_to_start_before_setup_made_the_secret_key(sites):
    env = {**os.environ, "PT_SITES_DIR": str(sites), "PT_SITE": "default", "DJANGO_SETTINGS_MODULE":
           "programme_tracker.config.settings"}
    env.pop("PT_SECRET_KEY", None)
    started = subprocess.run([sys.executable, "-c", "import programme_tracker.config.wsgi"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0 and "run `programme-tracker setup` first" in started.stderr
    assert not (sites / "default").exists()  # and wrote nothing
