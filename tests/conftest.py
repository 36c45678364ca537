"""Shared fixtures: the base data (loaded once per session), one account per role, a programme; the plain builders
they use are in tests/builders.py."""

import os
import shutil
import tempfile
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import sync_roles
from programme_tracker.portfolio.models import Organisation
from programme_tracker.portfolio.services import load_base_data
from tests.builders import helpline_programme, role_accounts
from tests.redis_server import RedisServer


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark the tests that drive Chromium (they use the `page` or `browser` fixture) `browser`, and those of
    tests/a11y/ `a11y`, before the -m option selects: `pytest -m "not browser and not processes and not cli and not
    sweep"` is the fast set (make test-fast)."""
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if item.path.parent.name == "a11y":
            item.add_marker(pytest.mark.a11y)


def load_base_data_and_roles() -> None:
    """The base data and the role groups, where the database does not hold them yet."""
    if load_base_data():
        sync_roles()


def _base_data_after_flush(sender, using, **kwargs):
    """A test that commits (transaction=True, a live server) ends with Django's flush, which empties every table and
    then sends post_migrate as migrate does: the base data comes back then, so that the next test starts from the
    same database whatever the order the tests run in."""
    from django.db import DEFAULT_DB_ALIAS

    if using == DEFAULT_DB_ALIAS:
        load_base_data_and_roles()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the base data and the role groups loaded once for the whole session: each
    test's transaction starts from them (loading them per test took about 300 queries)."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    with django_db_blocker.unblock():
        load_base_data()
        sync_roles()  # always: a database kept from an earlier run (--reuse-db) may hold the groups of older roles.py
    # The flush sends post_migrate once per app, in order: after the last one every app's permissions exist again.
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    post_migrate.connect(_base_data_after_flush, sender=last_app, dispatch_uid="tests-base-data-after-flush")
    yield
    post_migrate.disconnect(sender=last_app, dispatch_uid="tests-base-data-after-flush")


@pytest.fixture(scope="session", autouse=True)
def no_collected_static_folder():
    """Static files are served from the apps here (WhiteNoise's finders); the site's folder of collected files is
    made by `setup`, which most tests do not run, and WhiteNoise would warn for every test client without it."""
    from django.conf import settings

    settings.STATIC_ROOT = None


@pytest.fixture
def base(db):
    """The First Report's recommendations, its ministries and the role groups (loaded once per session, see
    django_db_setup; checked here, with one query, in case a test emptied the database)."""
    load_base_data_and_roles()


@pytest.fixture
def accounts(base):
    """One staff account per role, keyed by role name."""
    return role_accounts()


# Beside the roles, the two visitors every page's permission table tries: `login(NO_ROLE)`, `login(ANONYMOUS)`.
NO_ROLE, ANONYMOUS = "staff without a role", "anonymous"


@pytest.fixture
def login(client, accounts):
    """Log the test client in as a role; returns the account."""

    def as_role(role):
        if role == ANONYMOUS:  # a visitor who has not logged in
            client.logout()
            return None
        user = get_user_model().objects.create_user("nobody", is_staff=True) if role == NO_ROLE else accounts[role]
        client.force_login(user)
        return user

    return as_role


@pytest.fixture
def ministry(base):
    """The Ministry of Justice and Security (from the base fixture)."""
    return Organisation.objects.get(short_name="JenV")


@pytest.fixture
def programme(ministry, accounts):
    """An active programme with an owner and a lead ministry, and one committed funding period."""
    return helpline_programme(ministry, accounts[roles.COORDINATOR])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in many accounts; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_not_required(settings):
    """Tests about other things log in as every role with the password alone, so no role must have a second factor
    here (the site's default asks it of Administrators and Finance officers). Whoever has one is still asked for it.
    The second factor's own tests put the default back with `second_factor_roles` (tests/accounts/conftest.py)."""
    settings.SECOND_FACTOR_ROLES = []


@pytest.fixture
def redis_server():
    """A Redis server of this test's own. In CI (CI=true) a missing redis-server is a failure, not a skip."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_worker(worker_id):
    """Under pytest-xdist (make test runs one worker per core) each worker empties the cache before every test, and
    emptying a Redis cache empties its whole database: each worker gets a Redis database of its own."""
    from django.conf import settings
    from django.test.utils import override_settings

    cache = settings.CACHES["default"]
    if worker_id == "master" or "redis" not in cache.get("LOCATION", ""):
        yield
        return
    site_database = int(urlsplit(cache["LOCATION"]).path.strip("/") or 0)
    location = urlsplit(cache["LOCATION"])._replace(path=f"/{site_database + 1 + int(worker_id.removeprefix('gw'))}")
    with override_settings(CACHES={"default": {**cache, "LOCATION": location.geturl()}}):
        yield


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language: a request in Dutch leaves Dutch active in the thread (the test
    client, unlike a server, does not reset it), and a later test would read Dutch messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: its database starts afresh, so ids (and cache keys) repeat."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file (in memory-backed /dev/shm where there is one), as a site's is.

    Django's default in-memory test database is shared between threads in SQLite's shared-cache mode, where a
    second writer fails at once ("database table is locked") instead of waiting as it does on a file (the busy
    timeout): a background job finishing while a page saves its session would fail in tests and never on a site.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        database.setdefault("TEST", {})["NAME"] = os.path.join(folder or tempfile.gettempdir(),
                                                               f"programme-tracker-test-{os.getpid()}.sqlite3")
