"""Background jobs: one table of jobs, run on RQ (worker + RQ's cron scheduler) or, without Redis, in-process.

Every job is idempotent and checks itself whether there is work (the daily scan runs once per local day after
daily_scan_time; delivery sends what is due), so running one late, twice or after a crash is safe. Each run is
recorded as a JobRun (desk: Core → Job runs) with its error; on RQ a failed run is retried with backoff and ends
in RQ's failed-job registry (desk: /desk/jobs/). A module adds its own scheduled jobs with `register()`, and hands
one-off work (a big import) to a worker with `enqueue()`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A job: the function that does it, how often the scheduler starts it, and how long it may take."""

    name: str
    function: str  # dotted path, imported when run
    every_seconds: int
    timeout_seconds: int


JOBS = {
    job.name: job
    for job in (
        Job("daily-scan", "programme_tracker.continuity.jobs.daily_scan", every_seconds=300, timeout_seconds=1800),
        Job("deliver-notifications", "programme_tracker.notifications.jobs.deliver", every_seconds=60,
            timeout_seconds=600),
    )
}
RETRY_DELAYS = [30, 120, 600]  # seconds between attempts after a failure (backoff)


def register(job: Job) -> None:
    """Add a higher module's scheduled job (called from its AppConfig.ready, before any scheduler starts)."""
    JOBS[job.name] = job


def run_job(name: str, attempt: int = 1) -> str:
    """Run one job now and record the run; re-raises the error so that RQ can retry it."""
    from programme_tracker.core.models import JobRun

    run = JobRun.objects.create(job=name, attempt=attempt, started_at=timezone.now(),
                                runner=f"{socket.gethostname()}:{os.getpid()}")
    try:
        result = import_string(JOBS[name].function)()
    except Exception:
        JobRun.objects.filter(pk=run.pk).update(outcome=JobRun.Outcome.FAILED, finished_at=timezone.now(),
                                                error=traceback.format_exc()[-5000:])
        raise
    # A job's summary (a dict) as JSON: what `run-job` prints and the desk's job runs show.
    text = json.dumps(result, default=str) if isinstance(result, dict) else str(result)
    JobRun.objects.filter(pk=run.pk).update(outcome=JobRun.Outcome.SUCCEEDED, finished_at=timezone.now(),
                                            result=text[:2000])
    return text


def connection():
    """A Redis connection to the site's redis_url (short timeouts: callers retry rather than hang)."""
    from django.conf import settings
    from redis import Redis

    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=30)


def queue():
    """The site's job queue on Redis."""
    from rq import Queue

    return Queue("default", connection=connection())


def run_on_rq(name: str) -> None:
    """Started by RQ's cron scheduler: put the job on the queue with its timeout and retries (backoff)."""
    from rq import Retry

    job = JOBS[name]
    queue().enqueue(
        run_job, name, job_id=None, job_timeout=job.timeout_seconds,
        retry=Retry(max=len(RETRY_DELAYS), interval=RETRY_DELAYS), description=f"programme-tracker {name}",
    )


_in_process_runner: ThreadPoolExecutor | None = None
_in_process_lock = threading.Lock()


def enqueue(function: str, *args, timeout_seconds: int, description: str) -> None:
    """Run `function(*args)` (a dotted path) once in the background: on an RQ worker when the site has Redis, else
    on a thread of this process, one job after the other.

    Call it after the transaction that wrote what the job reads has committed. With Redis unreachable it raises
    redis' ConnectionError or TimeoutError and nothing is queued. No retries: the job records its own outcome.
    """
    from django.conf import settings

    if settings.REDIS_URL:
        queue().enqueue(function, *args, job_timeout=timeout_seconds, description=description)
        return
    global _in_process_runner
    with _in_process_lock:
        if _in_process_runner is None:
            _in_process_runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="programme-tracker-job")
    _in_process_runner.submit(_run_in_process, function, args)


def _run_in_process(function: str, args: tuple) -> None:
    try:
        import_string(function)(*args)
    except Exception:
        log.exception("Background job %s%r failed", function, args)
    finally:
        connections.close_all()  # this thread's own connections


def keep_trying_while_redis_is_down(run, report) -> None:
    """Call `run` until it returns; while Redis is unreachable, report it and try again with backoff (to 60 s).

    Under honcho a process that exits stops all the others, the web server too; so the worker and the scheduler
    wait for Redis rather than exit.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    delay = 1
    while True:
        try:
            run()
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            report(f"Redis is unreachable ({exc}); trying again in {delay} s.")
            time.sleep(delay)
            delay = min(delay * 2, 60)


class InProcessScheduler(threading.Thread):
    """Without Redis: the same jobs on a background thread of `serve`, with the same backoff after failures."""

    def __init__(self, tick_seconds: float = 15):
        super().__init__(name="programme-tracker-jobs", daemon=True)
        self.tick_seconds = tick_seconds
        self.stopping = threading.Event()
        self.next_run = dict.fromkeys(JOBS, 0.0)
        self.failures = dict.fromkeys(JOBS, 0)

    def run(self):
        while not self.stopping.is_set():
            self.run_due(time.monotonic())
            connections.close_all()  # this thread's own connections; a fresh one next tick
            self.stopping.wait(self.tick_seconds)

    def run_due(self, now: float) -> None:
        """Run every job whose time has come; after a failure, wait the next backoff delay before trying again."""
        for name, job in JOBS.items():
            if now < self.next_run[name]:
                continue
            try:
                run_job(name, attempt=self.failures[name] + 1)
            except Exception:
                log.exception("Job %s failed", name)
                delay = RETRY_DELAYS[min(self.failures[name], len(RETRY_DELAYS) - 1)]
                self.failures[name] += 1
                self.next_run[name] = now + delay
            else:
                self.failures[name] = 0
                self.next_run[name] = now + job.every_seconds
