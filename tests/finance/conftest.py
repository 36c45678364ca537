"""Finance fixtures: background jobs run at once, in the test's own thread and database transaction; the desk's
browser."""

import pytest
from django.utils.module_loading import import_string

from programme_tracker.core import jobs
from tests.desk.conftest import browser, page  # noqa: F401  (Chromium, for the import page's browser tests)


class RunAtOnce:
    """Stands in for the in-process runner's thread pool: runs each job at once, in this thread, so that it sees
    the test's transaction (a thread of its own would not) and its errors fail the test."""

    def __init__(self):
        self.ran = []

    def submit(self, _runner, function, args):
        self.ran.append((function, args))
        import_string(function)(*args)


@pytest.fixture
def jobs_at_once(monkeypatch, settings):
    """Background jobs run in-process (no Redis) and at once; returns the runner, which lists what it ran."""
    settings.REDIS_URL = ""
    runner = RunAtOnce()
    monkeypatch.setattr(jobs, "_in_process_runner", runner)
    return runner
