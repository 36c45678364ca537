"""Secured runs from the database: the unbroken stretches of secured funding each programme has from a date on.

The scan's heaviest read. The database merges the periods into runs (the gaps-and-islands pattern with window
functions, the same merge as periods.merge) so that a portfolio of a million funding periods comes back as about
one row per programme. The property tests check the result against a day-by-day reference.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Max, Q

from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import SECURED_FUNDING_STATUSES, FundingPeriod


def load_runs(today: date, periods_of: Q) -> dict[int, list[periods.Run]]:
    """Secured runs from `today` on, per programme, of the funding periods matching `periods_of`; two queries.

    Only periods ending on or after the day before `today` can shape a run from `today` on: the database merges
    those into runs (gaps and islands with window functions, as periods.merge does) and returns one row per run.
    The last secured day before them comes from one aggregate query and is joined to the first run (or kept as a
    one-day run before it), so runs, secured-until, last-covered-before and gaps are exact from `today` on.
    Neither query joins the programmes (MariaDB would then visit every programme before the periods' (end, status)
    index); callers pick the programmes they need.
    """
    secured = FundingPeriod.objects.filter(periods_of, status__in=SECURED_FUNDING_STATUSES).order_by()
    yesterday = today - timedelta(days=1)
    try:
        recent_sql, params = secured.filter(end__gte=yesterday).values_list("programme_id", "start", "end").query \
            .sql_with_params()
    except EmptyResultSet:  # no programmes to look at (an empty scope)
        return {}
    runs: dict[int, list[periods.Run]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_RUNS_SQL.format(base=recent_sql, **_DIALECT[connection.vendor]), params)
        for programme_id, first_day, last_day in cursor.fetchall():
            runs[programme_id].append((date.fromordinal(first_day), date.fromordinal(last_day)))
    for own in runs.values():
        if len(own) > 1:
            own.sort()  # sorted here: most programmes have one run, and the database need not sort them all
    # A conditional MAX over all secured periods rather than a WHERE on the end date: MariaDB then reads the
    # (programme, status, end) index in order without a temporary table.
    earlier = secured.values("programme_id").annotate(last=Max("end", filter=Q(end__lt=yesterday)))
    for programme_id, last in earlier.filter(last__isnull=False).values_list("programme_id", "last"):
        own = runs[programme_id]
        if own and own[0][0] <= last + periods.ONE_DAY:
            own[0] = (min(own[0][0], last), own[0][1])  # the earlier period runs on into the first run
        else:
            own.insert(0, (last, last))
    return runs


# Merge periods (first_day, last_day) into runs: a period starts a new run when it starts after the day following
# the latest end before it (in start order); runs are numbered by a running count of such starts.
_RUNS_SQL = """
WITH base (programme_id, first_day, last_day) AS ({base}),
before_each AS (
    SELECT programme_id, first_day, last_day, MAX(last_day) OVER (
        PARTITION BY programme_id ORDER BY first_day, last_day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS before_end
    FROM base
),
numbered AS (
    SELECT programme_id, first_day, last_day, SUM(
        CASE WHEN before_end IS NULL OR first_day > {next_day} THEN 1 ELSE 0 END
    ) OVER (PARTITION BY programme_id ORDER BY first_day, last_day ROWS UNBOUNDED PRECEDING) AS run
    FROM before_each
)
SELECT programme_id, {ordinal_first}, {ordinal_last} FROM numbered GROUP BY programme_id, run
"""
# Per database: the day after before_end, and a date as its proleptic Gregorian ordinal (date.toordinal), which
# Python turns into a date several times faster than the drivers parse date text.
_DIALECT = {
    "mysql": {"next_day": "DATE_ADD(before_end, INTERVAL 1 DAY)",
              "ordinal_first": "TO_DAYS(MIN(first_day)) - 365", "ordinal_last": "TO_DAYS(MAX(last_day)) - 365"},
    "sqlite": {"next_day": "date(before_end, '+1 day')",
               "ordinal_first": "CAST(julianday(MIN(first_day)) - 1721424.5 AS INTEGER)",
               "ordinal_last": "CAST(julianday(MAX(last_day)) - 1721424.5 AS INTEGER)"},
}


def secured_until_on(today: date, periods_of: Q | None = None) -> dict[int, date]:
    """Secured-until on `today` per programme (DESIGN.md: the last day of the unbroken secured run containing
    `today`); programmes not secured on `today` are left out. The one definition the desk, the admin list and the
    scan share."""
    return periods.secured_until_each(load_runs(today, periods_of or Q()), today)
