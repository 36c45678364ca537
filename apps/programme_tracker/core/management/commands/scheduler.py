"""`scheduler`: RQ's cron scheduler, starting each job of core.jobs.JOBS at its interval."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.cron import CronScheduler

from programme_tracker.core import jobs
from programme_tracker.core.jobs import JOBS, run_on_rq


class Command(BaseCommand):
    """Put the site's jobs on the queue at their intervals (RQ's own CronScheduler; no rq-scheduler needed)."""

    help = "Schedule the daily scan and the notification delivery on Redis. Keeps trying while Redis is down."

    def handle(self, *args, **options):
        if not settings.REDIS_URL:
            raise CommandError("No redis_url for this site: jobs run in-process under `serve`; no scheduler needed.")
        delay = 1
        while True:
            try:
                redis = jobs.connection()
                redis.ping()
                cron = CronScheduler(connection=redis, name=f"programme-tracker-{settings.SITE_NAME}")
                for job in JOBS.values():
                    cron.register(run_on_rq, "default", args=(job.name,), interval=job.every_seconds,
                                  job_timeout=60, name=job.name)
                cron.start()
                return
            except (RedisConnectionError, RedisTimeoutError) as exc:
                self.stderr.write(f"Redis is unreachable ({exc}); trying again in {delay} s.")
                time.sleep(delay)
                delay = min(delay * 2, 60)
