"""/health/ tells monitoring whether the site can do its work, and names the check that fails; /health/live/ only
that the process serves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programme_tracker.continuity.models import ScanState
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_health_fails_until_the_daily_scan_has_run_and_then_passes(client, accounts):
    answer = client.get("/health/")
    assert answer.status_code == 503 and answer.json()["checks"]["daily scan"]["ok"] is False
    assert answer.json()["checks"]["database"] == {"ok": True}
    run_scan()
    answer = client.get("/health/")
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.json()
    ScanState.objects.update(last_full_scan_at=timezone.now() - timedelta(hours=27))
    assert client.get("/health/").status_code == 503


def test_an_email_stuck_in_the_outbox_fails_the_check(client, demo, accounts):
    stuck = Notification.objects.filter(email_state="pending").first() or Notification.objects.first()
    Notification.objects.filter(pk=stuck.pk).update(email_state="claimed",
                                                    claimed_at=timezone.now() - timedelta(hours=2))
    answer = client.get("/health/")
    assert answer.status_code == 503 and answer.json()["checks"]["outbox"]["problem"].startswith("1 e-mail")


def test_live_answers_and_neither_needs_a_log_in_nor_says_more(client):
    assert client.get("/health/live/").json() == {"status": "ok"}
    assert client.post("/health/").status_code == 405
    assert set(client.get("/health/").json()) == {"status", "checks"}


def test_the_browsers_favicon_request_finds_the_icon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith(".svg")
