"""Sessions end after the site's idle hours without a request (each request pushes the end on), and optionally when
the browser closes; the log-in settings come from the site's settings."""

import json
import os
import subprocess
import sys
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from programme_tracker.accounts import roles
from tests.builders import PASSWORD


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_session_ends_after_eight_idle_hours_and_each_request_pushes_the_end_on(client, accounts):
    client.post("/desk/login/", {"username": accounts[roles.MONITOR].username, "password": PASSWORD})
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 3600  # kept across browser restarts (session_expire_at_browser_close: false)

    row = session_row(client)
    row.expire_date = timezone.now() + timedelta(minutes=5)  # as if the last request was 7 h 55 min ago
    row.save()
    assert client.get("/desk/dashboard/").status_code == 200
    assert session_row(client).expire_date > timezone.now() + timedelta(hours=7, minutes=59)

    row = session_row(client)
    row.expire_date = timezone.now() - timedelta(seconds=1)  # eight hours went by without a request
    row.save()
    response = client.get("/desk/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")


def test_the_session_can_end_when_the_browser_closes(client, accounts, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    client.post("/desk/login/", {"username": accounts[roles.MONITOR].username, "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a cookie the browser forgets when it closes
    # The idle limit still holds on the server.
    assert session_row(client).expire_date < timezone.now() + timedelta(hours=8, minutes=1)


def test_the_settings_come_from_the_site(tmp_path):
    """The site's values reach Django's and the packages' settings (built when the settings are imported)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PT_")}
    env |= {"PT_SITES_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "programme_tracker.config.settings",
            "PT_SESSION_IDLE_HOURS": "2", "PT_SESSION_EXPIRE_AT_BROWSER_CLOSE": "true",
            "PT_LOGIN_FAILURE_LIMIT": "3", "PT_LOGIN_LOCKOUT_MINUTES": "30", "PT_REVERSE_PROXIES": "1",
            "PT_SECOND_FACTOR_ROLES": "monitor"}
    script = ("import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_AGE, "
              "s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
              "s.REVERSE_PROXIES, s.SECOND_FACTOR_ROLES]))")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                            check=True)
    assert json.loads(result.stdout) == [7200, True, 3, 1800.0, 1, [roles.MONITOR]]
