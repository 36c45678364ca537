"""Retention (old history, audit records, notifications, job runs and sessions go; what is current stays) and the
audit record of log-ins."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.core import retention
from programme_tracker.core.audit import record
from programme_tracker.core.models import AuditEvent, JobRun
from programme_tracker.portfolio.models import Programme
from tests.builders import PASSWORD


def test_old_history_goes_but_each_record_keeps_its_latest_version(programme, settings):
    now = timezone.now()
    long_ago = now - timedelta(days=settings.RETENTION["keep_history_months"] * 31 + 1)
    programme.name = "Helpline, renamed"
    programme.save()
    history = Programme.history.model
    history.objects.filter(id=programme.pk).update(history_date=long_ago)  # both versions are old
    other = Programme.objects.create(code="RECENT", name="Recent", area="prevention", status="planned",
                                     lead_ministry=programme.lead_ministry)
    counts = retention.enforce_retention(now)
    assert counts["history"] >= 1
    kept = history.objects.filter(id=programme.pk)
    assert [v.name for v in kept] == ["Helpline, renamed"]  # the latest version of an old record stays
    assert history.objects.filter(id=other.pk).count() == 1  # recent history untouched


def test_audit_records_job_runs_and_sessions_past_their_time_go(db, settings):
    now = timezone.now()
    old = now - timedelta(days=settings.RETENTION["keep_audit_days"] + 1)
    record(AuditEvent.Kind.EXPORT, username="someone", detail="old export")
    AuditEvent.objects.update(at=old)
    record(AuditEvent.Kind.EXPORT, username="someone", detail="new export")
    JobRun.objects.create(job="daily-scan", started_at=now - timedelta(days=settings.RETENTION["keep_job_runs_days"]
                                                                         + 1))
    JobRun.objects.create(job="daily-scan", started_at=now)
    expired, current = SessionStore(), SessionStore()
    expired.set_expiry(-10)
    expired.create()
    current.create()
    counts = retention.enforce_retention(now)
    assert counts["audit records"] == 1 and counts["job runs"] == 1 and counts["sessions"] == 1
    assert list(AuditEvent.objects.values_list("detail", flat=True)) == ["new export"]
    assert Session.objects.filter(session_key=current.session_key).exists()


def test_log_ins_and_failures_are_recorded_for_administrators(client, accounts):
    monitor = accounts[roles.MONITOR]
    login = reverse("admin:login")
    client.post(login, {"username": monitor.username, "password": "wrong\npassword"})
    client.post(login, {"username": "no-such\x1bone", "password": "x"})
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", "username"))
    assert kinds == [("log-in-failed", monitor.username), ("log-in-failed", "no-such?one")]
    assert AuditEvent.objects.filter(address="127.0.0.1").count() == 2
    # Only Administrators read the record.
    client.force_login(monitor)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403
    client.force_login(accounts[roles.ADMINISTRATOR])
    page = client.get(reverse("admin:core_auditevent_changelist"))
    assert page.status_code == 200 and "no-such?one" in page.content.decode()


def test_a_successful_log_in_is_recorded(client, accounts):
    monitor = accounts[roles.MONITOR]
    client.post(reverse("admin:login"), {"username": monitor.username, "password": PASSWORD})
    assert AuditEvent.objects.filter(kind="log-in", user=monitor).exists()
