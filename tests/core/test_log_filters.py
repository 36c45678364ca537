"""A refused request is logged as one line, without a traceback; other errors keep theirs."""

import logging

from django.contrib.auth import get_user_model
from django.urls import reverse

from programme_tracker.core.log_filters import ForbiddenWithoutTraceback


def test_a_403_is_logged_without_its_traceback(client, base, caplog):
    client.force_login(get_user_model().objects.create_user("no-role", is_staff=True))
    caplog.handler.addFilter(ForbiddenWithoutTraceback())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("desk:task-force")).status_code == 403
    refused = [record for record in caplog.records if getattr(record, "status_code", None) == 403]
    assert refused and all(record.exc_info is None for record in refused)
    assert "Forbidden" in caplog.text and "Traceback" not in caplog.text


def test_other_errors_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", None,
                                   exc_info=__import__("sys").exc_info())
    record.status_code = 500
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None


def test_the_site_s_console_log_uses_the_filter(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["forbidden_without_traceback"]
    assert settings.LOGGING["filters"]["forbidden_without_traceback"]["()"].endswith("ForbiddenWithoutTraceback")
