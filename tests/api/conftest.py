"""The API's tests use the desk's demo portfolio."""

from tests.desk.conftest import demo  # noqa: F401  (a fixture)
