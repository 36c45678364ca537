"""Property tests: secured-until, gaps and overlaps agree with a day-by-day reference on random periods."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programme_tracker.accounts import roles
from programme_tracker.continuity.rules import Context
from programme_tracker.portfolio import periods
from tests.builders import fund, make_programme

ORIGIN = date(2026, 1, 1)


def spans():
    """Random inclusive periods within ~200 days of ORIGIN (short, so that overlaps and gaps are common)."""
    one = st.tuples(st.integers(0, 200), st.integers(0, 40)).map(
        lambda pair: (ORIGIN + timedelta(days=pair[0]), ORIGIN + timedelta(days=pair[0] + pair[1]))
    )
    return st.lists(one, max_size=8)


def covered_days(spans_):
    return {start + timedelta(days=i) for start, end in spans_ for i in range((end - start).days + 1)}


def reference_secured_until(days, day):
    if day not in days:
        return None
    while day + timedelta(days=1) in days:
        day += timedelta(days=1)
    return day


days_around = st.integers(-5, 250).map(lambda n: ORIGIN + timedelta(days=n))


@given(spans(), days_around)
def test_secured_until_matches_day_by_day(spans_, day):
    assert periods.secured_until(periods.merge(spans_), day) == reference_secured_until(covered_days(spans_), day)


@given(spans(), days_around)
def test_last_covered_before_matches_day_by_day(spans_, day):
    before = [d for d in covered_days(spans_) if d < day]
    assert periods.last_covered_before(periods.merge(spans_), day) == (max(before) if before else None)


@given(spans())
def test_runs_and_gaps_partition_the_days_between_first_and_last(spans_):
    days = covered_days(spans_)
    runs = periods.merge(spans_)
    # Runs cover exactly the covered days, never touch or overlap each other.
    assert covered_days(runs) == days
    assert all(after[0] > before[1] + timedelta(days=1) for before, after in zip(runs, runs[1:], strict=False))
    # Gaps are exactly the uncovered days between the first and the last covered day.
    if days:
        span = {min(days) + timedelta(days=i) for i in range((max(days) - min(days)).days + 1)}
        assert covered_days(periods.gaps(runs)) == span - days


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(-30, 30))
def test_add_months_keeps_the_day_or_the_month_end(day, months):
    moved = periods.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans(), st.integers(0, 200), st.lists(st.booleans(), min_size=8, max_size=8))
def test_scan_runs_from_the_database_match_day_by_day(accounts, spans_, offset, secured_flags):
    """The scan loads only recent periods plus one aggregate; from the reference date on it must still be exact."""
    today = ORIGIN + timedelta(days=offset)
    programme = make_programme(accounts[roles.COORDINATOR])
    for (start, end), secured in zip(spans_, secured_flags, strict=False):
        fund(programme, start, end, status="committed" if secured else "indicative")
    secured_spans = [span for span, secured in zip(spans_, secured_flags, strict=False) if secured]
    days = covered_days(secured_spans)
    runs = Context(today=today).secured_runs().get(programme.pk, [])
    for probe in (today + timedelta(days=n) for n in range(0, 60, 3)):
        assert periods.secured_until(runs, probe) == reference_secured_until(days, probe)
        before = [d for d in days if d < probe]
        assert periods.last_covered_before(runs, probe) == (max(before) if before else None)
    later_gaps = [g for g in periods.gaps(runs) if g[1] >= today]
    reference_gaps = [g for g in periods.gaps(periods.merge(secured_spans)) if g[1] >= today]
    assert later_gaps == reference_gaps
    programme.delete()

