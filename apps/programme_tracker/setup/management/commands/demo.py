"""`demo`: load the demo portfolio (fictional amounts and dates) with role accounts to try the desk."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from programme_tracker.setup.demo_taskforce import decide_on_a_demo_alert
from programme_tracker.setup.services import prepare_site


class Command(BaseCommand):
    """Load or refresh the demo portfolio; dates are relative to today."""

    help = ("Load the demo portfolio and an account per role to try the desk (fictional amounts and dates).\n"
            "It is drawn from the First Report's 2012 developments; its dates are relative to today.")

    def handle(self, *args, **options):
        prepare_site(self.stdout.write)
        today = timezone.localdate()
        result = load_demo(today)
        # Scanned at once, so that the desk shows its alerts, and the task force's decision on one of them.
        run_scan(today)
        decide_on_a_demo_alert(today)
        programmes = result["counts"]["programmes"]
        self.stdout.write(f"Demo portfolio loaded: {programmes['created']} programmes created, "
                          f"{programmes['updated']} updated, {programmes['unchanged']} unchanged.")
        for username, password in result["passwords"].items():
            self.stdout.write(f"Demo account {username!r}, password {password!r}")
