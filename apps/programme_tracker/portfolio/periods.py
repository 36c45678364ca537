"""Day arithmetic on funding periods: runs of secured days, secured-until and the gaps between runs.

Periods are inclusive (start, end) date pairs. Two periods belong to one run when they overlap or when one starts
the day after the other ends: funding from 1 January to 30 June and from 1 July on is unbroken.
"""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
Run = tuple[date, date]


def merge(periods: Iterable[tuple[date, date]]) -> list[Run]:
    """The unbroken runs of days the periods cover, in date order."""
    runs: list[list[date]] = []
    for start, end in sorted(periods):
        if runs and start - ONE_DAY <= runs[-1][1]:  # (not end + 1 day: that overflows at date.max)
            if end > runs[-1][1]:
                runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(start, end) for start, end in runs]


def _run_index(runs: list[Run], day: date) -> int:
    """Index of the last run starting on or before `day` (-1 when none does)."""
    return bisect_right(runs, (day, date.max)) - 1


def secured_until(runs: list[Run], day: date) -> date | None:
    """The last day of the run containing `day`; None when `day` itself is not covered."""
    i = _run_index(runs, day)
    if i >= 0 and runs[i][1] >= day:
        return runs[i][1]
    return None


def secured_until_each(runs: dict[int, list[Run]], day: date) -> dict[int, date]:
    """secured_until for each programme's runs; programmes not secured on `day` are left out."""
    return {pid: until for pid, own in runs.items() if (until := secured_until(own, day)) is not None}


def last_covered_before(runs: list[Run], day: date) -> date | None:
    """The last covered day strictly before `day`; None when there is none."""
    i = _run_index(runs, day - ONE_DAY)
    if i < 0:
        return None
    return min(runs[i][1], day - ONE_DAY)


def starts_after(runs: list[Run], day: date) -> bool:
    """True when some run starts after `day` (there is secured funding to come after it)."""
    return bool(runs) and runs[-1][0] > day


def gaps(runs: list[Run]) -> list[Run]:
    """The uncovered stretches between consecutive runs, as (first uncovered day, last uncovered day)."""
    return [(before[1] + ONE_DAY, after[0] - ONE_DAY) for before, after in zip(runs, runs[1:], strict=False)]


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - ONE_DAY).day))
