"""Shared fixtures: the base data, one account per role, and small portfolio builders."""

import os
import shutil
import tempfile
from datetime import date
from decimal import Decimal

import pytest

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account, sync_roles
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme
from programme_tracker.portfolio.services import load_base_data
from tests.redis_server import RedisServer

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def base(db):
    """The First Report's recommendations, its ministries and the role groups."""
    load_base_data()
    sync_roles()


@pytest.fixture
def accounts(base):
    """One staff account per role, keyed by role name."""
    return {role: create_account(role.lower().replace(" ", "-"), role, password=PASSWORD)[0] for role in roles.ROLES}


@pytest.fixture
def login(client, accounts):
    """Log the test client in as a role; returns the account."""

    def as_role(role):
        user = accounts[role]
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
    owner = accounts[roles.COORDINATOR]
    prog = Programme.objects.create(code="HELPLINE", name="Helpline", area="prevention", status="active",
                                    lead_ministry=ministry, owner=owner, planned_start=date(2025, 1, 1))
    FundingPeriod.objects.create(code="HELPLINE-2025", programme=prog, funder=ministry, instrument="subsidy",
                                 amount=Decimal("100000.00"), status="committed", start=date(2025, 1, 1),
                                 end=date(2026, 12, 31))
    return prog


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
