"""The portfolio's figures that read every secured funding period, worked out once per change of the portfolio.

Secured-until per programme and coverage per recommendation read all secured funding (a few hundred milliseconds
at 10k programmes), and the dashboard, the coverage matrix and the monitoring report all need them. They depend
only on funding periods, programmes, their links, recommendations, organisations and budget lines, and every
change to those writes a history row. So results are cached under the day and the newest history id of those
tables (one cheap query per request): a saved change shows on the next page view. Changes that write no history
(loading fixtures, SQL by hand) show once the entry expires.

Two levels. The site's cache (Redis when the site has one, so one process's work serves all of them; otherwise
each process's memory) holds the entries; each process also keeps the few it used last as they are, because
unpickling them takes tens of milliseconds at 10k programmes, and checks only that the cache still holds them (so
emptying the cache empties this too). The cache is an optimisation, never a dependency: when it cannot be reached,
the figures are worked out here (core/cache.py answers as an empty cache and logs the error).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection

from programme_tracker.continuity.rules.base import Context
from programme_tracker.continuity.rules.coverage import coverage
from programme_tracker.finance.models import BudgetLine
from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import (
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeRecommendation,
    Recommendation,
)

EXPIRES = 600  # seconds: the longest a change without history can stay unseen
KEPT = 16  # entries each process keeps unpickled: today's figures and a few report dates
TRACKED = (FundingPeriod, Programme, ProgrammeRecommendation, Recommendation, Organisation, BudgetLine)

_kept: OrderedDict[str, tuple[float, object]] = OrderedDict()  # key → (expires at, value), last used last
_kept_lock = threading.Lock()
_working: dict[str, threading.Lock] = {}  # key → held while one thread of this process works it out


def stamp() -> str:
    """The newest history id of every table the figures depend on: changes whenever any of them is saved."""
    quote = connection.ops.quote_name
    parts = ", ".join(f"(SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)})"
                      for model in TRACKED)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        return "-".join(str(value or 0) for value in cursor.fetchone())


def cached(name: str, day: date, compute: Callable[[], object], version: str | None = None):
    """`compute()` for this day and state of the portfolio, from the cache when it was worked out before."""
    key = f"desk:{name}:{day.isoformat()}:{version or stamp()}"
    found, value = _kept_value(key)
    if found:
        return value
    try:
        with _work_lock(key):  # the other threads of this process asking for the same figures wait for the first
            found, value = _kept_value(key)
            if not found:
                entry = cache.get(key)  # (expires at, value)
                if entry is None:
                    entry = (time.time() + EXPIRES, compute())
                    cache.set(key, entry, EXPIRES)
                _keep(key, entry)
                value = entry[1]
    finally:
        with _kept_lock:
            _working.pop(key, None)
    return value


def _kept_value(key: str) -> tuple[bool, object]:
    """The entry this process kept, while it has not expired and the cache still holds it."""
    with _kept_lock:
        entry = _kept.get(key)
        if entry is not None:
            _kept.move_to_end(key)
    if entry is None or entry[0] <= time.time() or not cache.has_key(key):
        return False, None
    return True, entry[1]


def _keep(key: str, entry: tuple[float, object]) -> None:
    with _kept_lock:
        _kept[key] = entry
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def _work_lock(key: str) -> threading.Lock:
    with _kept_lock:
        return _working.setdefault(key, threading.Lock())


@dataclass(frozen=True)
class Snapshot:
    """Secured-until per programme and covered-until per accepted recommendation on one day."""

    day: date
    horizon: date  # the coverage horizon: covered only until before it is "at risk"
    secured_until: dict[int, date]
    covered_until: dict[int, date]

    def until(self, programme_id: int) -> date | None:
        """The programme's secured-until on the day (None: not secured that day)."""
        return self.secured_until.get(programme_id)


def _compute(day: date) -> Snapshot:
    """Work the snapshot out from the database (three queries)."""
    ctx = Context(today=day)
    # The scan's own runs (shared with coverage, loaded once), not a second load by secured_until_on.
    secured = periods.secured_until_each(ctx.secured_runs(), day)
    return Snapshot(day, ctx.days(ctx.limits.coverage_horizon_days), secured, coverage(ctx))


def snapshot(day: date, version: str | None = None) -> Snapshot:
    """The snapshot of `day`, cached per state of the portfolio."""
    return cached("snapshot", day, lambda: _compute(day), version)
