"""`scheduler`: RQ's cron scheduler, starting each job of core.jobs.JOBS at its interval."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rq.cron import CronScheduler

from programme_tracker.core import jobs


class Command(BaseCommand):
    """Put the site's jobs on the queue at their intervals (RQ's own CronScheduler; no rq-scheduler needed)."""

    help = ("Put the background jobs on the Redis queue at their intervals (needs redis_url).\n"
            "Keeps trying while Redis is down.")

    def handle(self, *args, **options):
        if not settings.REDIS_URL:
            raise CommandError("No redis_url for this site: jobs run in-process under `serve`; no scheduler needed.")

        def schedule():
            redis = jobs.connection()
            redis.ping()
            cron = CronScheduler(connection=redis, name=f"programme-tracker-{settings.SITE_NAME}")
            for job in jobs.JOBS.values():
                # What the cron job runs is tiny (it queues the real job with its timeout and retries).
                cron.register(jobs.run_on_rq, "default", args=(job.name,), interval=job.every_seconds,
                              job_timeout=60, name=job.name)
            cron.start()

        jobs.keep_trying_while_redis_is_down(schedule, self.stderr.write)
