"""The task force's tests use the desk's Chromium (browser tests)."""

from tests.desk.conftest import browser  # noqa: F401 (a fixture: pytest finds it by name)
