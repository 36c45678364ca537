"""Background jobs: recorded runs with failures, backoff in-process, the daily scan once a day, RQ with a real
Redis (also stopped and started again), and a worker that waits for Redis instead of exiting."""

import subprocess
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker

from programme_tracker.accounts import roles
from programme_tracker.continuity.jobs import daily_scan, scan_is_due
from programme_tracker.continuity.models import Alert, ScanState
from programme_tracker.continuity.scan import run_scan
from programme_tracker.core import jobs
from programme_tracker.core.models import JobRun
from programme_tracker.notifications.models import EmailState, Notification
from programme_tracker.portfolio.models import Programme
from tests.builders import fund, make_programme
from tests.processes import CLI, environment, needs_server_database

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


@pytest.fixture
def failing_job(monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "broken", jobs.Job("broken", "tests.core.test_jobs.explode", 60, 10))


def explode():
    raise RuntimeError("the mail server is on fire")


def test_a_failed_run_is_recorded_with_its_error(db, failing_job):
    with pytest.raises(RuntimeError):
        jobs.run_job("broken")
    run = JobRun.objects.get(job="broken")
    assert run.outcome == JobRun.Outcome.FAILED and "on fire" in run.error and run.finished_at


def test_in_process_scheduler_backs_off_after_failures(db, failing_job, monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", {"broken": jobs.JOBS["broken"]})
    scheduler = jobs.InProcessScheduler()
    scheduler.run_due(1000.0)
    assert scheduler.next_run["broken"] == 1000.0 + jobs.RETRY_DELAYS[0]
    scheduler.run_due(1000.0 + jobs.RETRY_DELAYS[0])
    assert scheduler.next_run["broken"] == 1000.0 + jobs.RETRY_DELAYS[0] + jobs.RETRY_DELAYS[1]
    assert JobRun.objects.filter(job="broken", outcome="failed").count() == 2


def test_daily_scan_runs_once_a_day_after_its_time(base, settings):
    settings.DAILY_SCAN_TIME = "06:00"
    assert not scan_is_due(at("2026-06-01T05:59"))
    assert scan_is_due(at("2026-06-01T06:00"))
    daily_scan(at("2026-06-01T06:00"))
    assert ScanState.objects.get().last_full_scan_as_of.isoformat() == "2026-06-01"
    assert not scan_is_due(at("2026-06-01T23:59"))
    assert daily_scan(at("2026-06-01T23:59"))["scan"] == "not due"
    assert scan_is_due(at("2026-06-02T06:00"))
    daily_scan(at("2026-06-02T06:00"))
    run_scan(at("2030-01-01T00:00").date())  # by hand, as of another day
    assert scan_is_due(at("2026-06-02T12:00"))


def use_redis(settings, url):
    settings.REDIS_URL = url


def run_queue():
    """An RQ worker that runs in this process (so it sees the test's database transaction) until the queue is empty."""
    queue = jobs.queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def test_jobs_run_on_rq_with_timeout_and_retries(base, settings, redis_server):
    use_redis(settings, redis_server.url)
    jobs.run_on_rq("daily-scan")
    queued = jobs.queue().jobs[0]
    assert queued.timeout == jobs.JOBS["daily-scan"].timeout_seconds and queued.retries_left == 3
    run_queue()
    assert JobRun.objects.get(job="daily-scan").outcome == JobRun.Outcome.SUCCEEDED


def test_redis_stopped_saves_and_pages_work_and_delivery_catches_up(base, accounts, client, settings,
                                                                     redis_server, django_capture_on_commit_callbacks):
    use_redis(settings, redis_server.url)
    owner = accounts[roles.FINANCE_OFFICER]
    owner.email = "owner@example.invalid"
    owner.save()
    redis_server.stop()
    # Saving re-evaluates at once and writes the notification to the outbox: no Redis involved.
    with django_capture_on_commit_callbacks(execute=True):
        programme = make_programme(owner)
        today = timezone.localdate()
        fund(programme, today.replace(day=1), today)  # lapses today: critical, mailed at once
    assert Alert.objects.filter(programme=programme, rule="funding-expiring", state="open").exists()
    client.force_login(accounts[roles.COORDINATOR])
    assert client.get(f"/desk/portfolio/programme/{programme.pk}/change/").status_code == 200
    assert client.get("/desk/continuity/alert/").status_code == 200
    with pytest.raises(RedisConnectionError):
        jobs.run_on_rq("deliver-notifications")  # what the scheduler would do; it keeps trying
    assert Notification.objects.filter(recipient=owner, email_state=EmailState.PENDING).exists()
    redis_server.start()
    jobs.run_on_rq("deliver-notifications")
    run_queue()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.invalid"]
    assert not Notification.objects.filter(recipient=owner, email_state=EmailState.PENDING).exists()
    assert Programme.objects.filter(pk=programme.pk).exists()


@pytest.mark.cli
def test_worker_waits_for_redis_instead_of_exiting(redis_server, tmp_path):
    redis_server.stop()
    env = environment(redis_url=redis_server.url)
    env.pop("PT_DB_NAME")
    log = tmp_path / "worker.log"
    with log.open("w") as stderr:
        worker = subprocess.Popen([CLI, "worker", "--burst"], env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    # Until the worker says it is waiting, however long a busy machine takes to start it.
    deadline = time.monotonic() + 60
    while "Redis is unreachable" not in log.read_text() and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Redis is unreachable" in log.read_text()
    time.sleep(1)
    assert worker.poll() is None  # still waiting: under honcho an exit would stop the web server too
    redis_server.start()
    assert worker.wait(timeout=60) == 0


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_survives_a_redis_restart(base, redis_server):
    needs_server_database()
    env = environment(redis_url=redis_server.url)
    worker = subprocess.Popen([CLI, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(3)
        redis_server.stop()
        time.sleep(3)
        assert worker.poll() is None
        redis_server.start()
        with override_redis(redis_server.url):
            jobs.run_on_rq("deliver-notifications")
        deadline = time.monotonic() + 90
        while not JobRun.objects.filter(job="deliver-notifications", outcome="succeeded").exists():
            assert time.monotonic() < deadline and worker.poll() is None, "the worker did not pick the job up"
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.communicate(timeout=30)


def override_redis(url):
    return override_settings(REDIS_URL=url)
