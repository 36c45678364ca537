"""`serve`: set the site up and start the web server (the embedded default needs nothing else)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from programme_tracker.core.jobs import InProcessScheduler
from programme_tracker.setup.services import ensure_first_administrator, prepare_site


class Command(BaseCommand):
    """Set up the site, then serve the desk with Django's server (use gunicorn, see the Procfile, in production)."""

    help = "Set up the site as `setup` does, then start the web server."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="default: 127.0.0.1:8000")
        parser.add_argument("--no-input", action="store_true", help="never prompt for a password")

    def handle(self, *args, addrport, no_input=False, **options):
        prepare_site(self.stdout.write)
        ensure_first_administrator(self.stdout.write, prompt=not no_input, terminal=self.stdout)
        if not settings.REDIS_URL:
            # The embedded default has no Redis: the daily scan and e-mail delivery run on a thread of this process.
            InProcessScheduler().start()
            self.stdout.write("Background jobs (daily scan, e-mail and webhook delivery) run in this process.")
        address = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        if settings.SITE_URL_IS_DEFAULT:
            # Not set for this site: links in e-mail lead to where this server answers (make run PORT=8080).
            settings.SITE_URL = f"http://{address}"
        self.stdout.write(f"Site {settings.SITE_NAME!r}: the desk is at http://{address}/desk/")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
