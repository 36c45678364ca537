"""Site configuration: defaults, site_config.json, environment overrides, and errors that name the setting."""

import json

import pytest

from programme_tracker.config import site_config
from programme_tracker.config.site_config import SiteConfigError, load


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


def test_secret_key_is_generated_once(sites):
    config = load("default", environ={})
    first = site_config.secret_key(config)
    assert len(first) > 40 and site_config.secret_key(config) == first


def test_readme_settings_reference_is_current():
    readme = (site_config.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert site_config.reference_markdown() in readme


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
