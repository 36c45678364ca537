"""`worker`: the RQ worker for the site's jobs; waits for Redis instead of exiting when it is down."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker

from programme_tracker.core import jobs


class Command(BaseCommand):
    """Run the RQ worker (with RQ's scheduler for retries); reconnect with backoff while Redis is unreachable."""

    help = "Run the background-job worker on Redis (needs redis_url). Keeps trying while Redis is down."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="stop when the queue is empty (for tests)")

    def handle(self, *args, burst=False, **options):
        if not settings.REDIS_URL:
            raise CommandError("No redis_url for this site: jobs run in-process under `serve`; no worker needed.")
        delay = 1
        while True:
            try:
                job_queue = jobs.queue()
                job_queue.connection.ping()
                # The worker's own scheduler moves retries (with their backoff) back onto the queue when due.
                Worker([job_queue], connection=job_queue.connection).work(with_scheduler=True, burst=burst)
                return
            except (RedisConnectionError, RedisTimeoutError) as exc:
                # Under honcho a process that exits stops all the others, the web server too: wait instead.
                self.stderr.write(f"Redis is unreachable ({exc}); trying again in {delay} s.")
                time.sleep(delay)
                delay = min(delay * 2, 60)
