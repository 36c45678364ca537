"""Small builders for continuity tests: programmes and funding periods in a line each."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme

T = date(2026, 6, 1)  # the reference date of the rule tests
_numbers = count(1)


def day(offset: int) -> date:
    """T plus `offset` days."""
    return T + timedelta(days=offset)


def make_programme(owner, status="active", planned_start=None, planned_end=None, **fields) -> Programme:
    """A programme led by JenV and owned by `owner`, with a fresh code."""
    number = next(_numbers)
    return Programme.objects.create(
        code=fields.pop("code", f"P{number}"), name=fields.pop("name", f"Programme {number}"),
        area=fields.pop("area", "prevention"),
        status=status, lead_ministry=fields.pop("lead_ministry", Organisation.objects.get(short_name="JenV")),
        owner=owner, planned_start=planned_start, planned_end=planned_end, last_reviewed=fields.pop("last_reviewed", T),
        **fields,
    )


def fund(programme, start: date, end: date, status="committed", amount=Decimal("1000.00"), **fields) -> FundingPeriod:
    """A funding period of the programme from start to end (inclusive)."""
    return FundingPeriod.objects.create(
        programme=programme, funder=Organisation.objects.get(short_name="JenV"), instrument="subsidy",
        amount=amount, status=status, start=start, end=end, **fields,
    )
