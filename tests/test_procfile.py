"""The production path end to end: the Procfile under honcho, on MariaDB and a Redis of the test's own, runs the
daily scan and delivers the e-mail (written as a file in the site's mail/ folder, as on a site without
mail_server)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.core.models import JobRun
from programme_tracker.notifications.models import Delivery, EmailState, Notification, Preference
from tests.builders import fund, make_programme
from tests.processes import environment, free_port, needs_server_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_honcho_runs_the_daily_scan_and_delivers_mail(base, accounts, redis_server):
    needs_server_database()
    owner = accounts[roles.FINANCE_OFFICER]
    owner.email = "owner@example.invalid"
    owner.save()
    Preference.objects.create(user=owner, delivery=Delivery.ALL_AT_ONCE)
    today = timezone.localdate()
    fund(make_programme(owner, code="HELPLINE", last_reviewed=today), today - timezone.timedelta(days=30),
         today + timezone.timedelta(days=20))
    Notification.objects.all().delete()  # the save already re-evaluated; let the daily scan find it afresh
    Alert.objects.all().delete()
    mail_folder = Path(settings.SITE_DIR) / "mail"
    before = set(mail_folder.glob("*")) if mail_folder.exists() else set()
    env = environment(redis_url=redis_server.url, daily_scan_time="00:00", mail_server="")
    env["PATH"] = f"{BIN}:{env['PATH']}"
    env["PORT"] = str(free_port())
    env["PT_ADMIN_PASSWORD"] = "a-long-admin-password"
    honcho = subprocess.Popen([str(BIN / "honcho"), "start"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not Notification.objects.filter(recipient=owner, email_state=EmailState.SENT).exists():
            assert time.monotonic() < deadline and honcho.poll() is None, "no e-mail was delivered in time"
            time.sleep(1)
        assert JobRun.objects.filter(job="daily-scan", outcome="succeeded").exists()
        assert Alert.objects.filter(rule="funding-expiring", programme__code="HELPLINE", state="open").exists()
    finally:
        honcho.send_signal(signal.SIGTERM)
        output = honcho.communicate(timeout=60)[0]
    written = "".join(path.read_text(errors="replace") for path in set(mail_folder.glob("*")) - before)
    assert "To: owner@example.invalid" in written and "HELPLINE" in written
    for process in ("web.1", "worker.1", "scheduler.1"):
        assert f"{process} started" in output
