"""`run-job NAME`: run one background job now, in this process, recorded like a scheduled run."""

from django.core.management.base import BaseCommand, CommandError

from programme_tracker.core.jobs import JOBS, run_job


class Command(BaseCommand):
    """Run a job of core.jobs.JOBS by name (daily-scan, deliver-notifications) and print its result."""

    help = "Run one background job now, in this process, recorded like a scheduled run."

    def add_arguments(self, parser):
        parser.add_argument("name", help=" | ".join(JOBS))

    def handle(self, *args, name, **options):
        if name not in JOBS:
            raise CommandError(f"no job {name!r}; the jobs are {', '.join(JOBS)}")
        self.stdout.write(run_job(name))
