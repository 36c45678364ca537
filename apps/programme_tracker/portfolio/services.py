"""Business actions on the portfolio that are not single-record edits."""

from django.core.management import call_command
from django.db import transaction

from programme_tracker.portfolio.models import SourceReport

BASE_FIXTURE = "base"  # fixtures/base.json: the First Report, its 25 recommendations and the ministries it names
BASE_REPORT_CODE = "NRM-CP-1"


@transaction.atomic
def load_base_data() -> bool:
    """Load the base fixture once; False when it was loaded before (edits made since are never overwritten)."""
    if SourceReport.objects.filter(code=BASE_REPORT_CODE).exists():
        return False
    call_command("loaddata", BASE_FIXTURE, verbosity=0)
    return True
