"""The task force's tests use the desk's Chromium: its browser and a page at desktop width (browser tests)."""

from tests.desk.conftest import browser, demo, page  # noqa: F401 (fixtures: pytest finds them by name)
