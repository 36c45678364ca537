"""`worker`: the RQ worker for the site's jobs; waits for Redis instead of exiting when it is down."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rq import Worker

from programme_tracker.core import jobs


class Command(BaseCommand):
    """Run the RQ worker (with RQ's scheduler for retries); reconnect with backoff while Redis is unreachable."""

    help = "Run the background-job worker on Redis (needs redis_url).\nKeeps trying while Redis is down."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="stop when the queue is empty (for tests)")

    def handle(self, *args, burst=False, **options):
        if not settings.REDIS_URL:
            raise CommandError("No redis_url for this site: jobs run in-process under `serve`; no worker needed.")

        def work():
            queue = jobs.queue()
            queue.connection.ping()
            # The worker's own scheduler moves retries (with their backoff) back onto the queue when due.
            Worker([queue], connection=queue.connection).work(with_scheduler=True, burst=burst)

        jobs.keep_trying_while_redis_is_down(work, self.stderr.write)
