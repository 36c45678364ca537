"""Benchmark of the continuity scan on a synthetic portfolio (a script that prints figures, not a test).

    .venv/bin/python benchmarks/scan.py                                  # SQLite: 10k programmes, 50k periods
    .venv/bin/python benchmarks/scan.py --mariadb --programmes 100000 --periods 1000000

SQLite runs in a throw-away folder; MariaDB uses (and first empties) the database `programme_tracker_bench` on
127.0.0.1 as root (`--reuse` measures what the last run left there). Prints the full-scan time (the first scan,
which opens the alerts, and the median of three steady-state scans),
a single programme's re-evaluation, the bare SQL query that finds the expiring funding (the floor), their ratio and
the query counts.
"""

import argparse
import statistics
import time
from datetime import timedelta

from database import configure  # benchmarks/database.py: the throw-away site and database


def build(programmes: int, periods: int) -> None:
    """Programmes with consecutive yearly funding periods, the latest ending over the next four years.

    Shaped like a real portfolio: every 20th programme has ended, every 13th has a month's gap before its latest
    period, every 11th has only indicative money for it, every 97th has no owner.
    """
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from programme_tracker.core.setup import prepare_site
    from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme

    prepare_site(lambda _message: None)
    owners = [get_user_model().objects.create_user(f"owner{n}", email=f"owner{n}@bench.invalid") for n in range(50)]
    ministry = Organisation.objects.get(short_name="JenV")
    today = timezone.localdate()
    per_programme = max(1, periods // programmes)
    batch = []
    for n in range(programmes):
        batch.append(Programme(
            code=f"B{n}", name=f"Benchmark programme {n}", area="prevention",
            status="ended" if n % 20 == 0 else "active",
            lead_ministry=ministry, owner=owners[n % 50] if n % 97 else None, last_reviewed=today,
            planned_start=today - timedelta(days=365 * per_programme),
        ))
        if len(batch) == 5000:
            Programme.objects.bulk_create(batch)
            batch = []
    Programme.objects.bulk_create(batch)
    ids = list(Programme.objects.order_by("pk").values_list("pk", flat=True))
    rows = []
    for n, programme_id in enumerate(ids):
        last_end = today + timedelta(days=(n * 37) % 1460 - (400 if n % 20 == 0 else 0))
        for k in range(per_programme):
            end = last_end - timedelta(days=365 * k)
            start = end - timedelta(days=364) + (timedelta(days=30) if k == 0 and n % 13 == 0 else timedelta(0))
            rows.append(FundingPeriod(
                code=f"B{n}-{k}", programme_id=programme_id, funder=ministry, instrument="subsidy",
                amount=Decimal("100000.00"), status="closed" if k else ("indicative" if n % 11 == 0 else "committed"),
                start=start, end=end, renewal_decision="pending" if k == 0 else "renewed",
                renewal_decision_date=None if k == 0 else end - timedelta(days=200),
            ))
            if len(rows) == 10000:
                FundingPeriod.objects.bulk_create(rows)
                rows = []
    FundingPeriod.objects.bulk_create(rows)


def timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result


def floor_query() -> tuple[float, int]:
    """The floor: one bare SQL query that finds the expiring funding as rule 1 defines it for active programmes:
    merge each programme's secured periods into unbroken runs (gaps and islands with window functions) and keep
    the programmes whose run containing today ends within 180 days. Like the scan, it reads only the periods
    ending on or after yesterday (earlier ones cannot change a run containing today). Returns (seconds, rows)."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    next_day = "DATE_ADD(before_end, INTERVAL 1 DAY)" if connection.vendor == "mysql" else "date(before_end, '+1 day')"
    sql = f"""
        WITH secured AS (
            SELECT programme_id, start, "end", MAX("end") OVER (
                PARTITION BY programme_id ORDER BY start, "end" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS before_end
            FROM portfolio_fundingperiod
            WHERE status IN ('committed', 'disbursing', 'closed') AND "end" >= %s
        ), numbered AS (
            SELECT programme_id, start, "end", SUM(CASE WHEN before_end IS NULL OR start > {next_day} THEN 1 ELSE 0 END)
                OVER (PARTITION BY programme_id ORDER BY start, "end" ROWS UNBOUNDED PRECEDING) AS run
            FROM secured
        ), runs AS (
            SELECT programme_id, MIN(start) AS first_day, MAX("end") AS last_day
            FROM numbered GROUP BY programme_id, run
        )
        SELECT runs.programme_id, runs.last_day FROM runs
        JOIN portfolio_programme programme ON programme.id = runs.programme_id
        WHERE programme.status = 'active' AND runs.first_day <= %s AND runs.last_day >= %s AND runs.last_day <= %s
    """
    if connection.vendor == "mysql":
        sql = sql.replace('"end"', "`end`")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [today - timedelta(days=1), today, today, today + timedelta(days=180)])
        rows = cursor.fetchall()
        return time.perf_counter() - started, len(rows)


def naive_query() -> float:
    """A lower bound below the floor: the latest secured end per programme within 180 days, without merging runs
    (wrong for chained periods, shown only to say what reading the rows costs)."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    end = connection.ops.quote_name("end")
    sql = (f"SELECT programme_id, MAX({end}) FROM portfolio_fundingperiod WHERE status IN ('committed', "
           f"'disbursing', 'closed') AND {end} >= %s GROUP BY programme_id HAVING MAX({end}) <= %s")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [today, today + timedelta(days=180)])
        cursor.fetchall()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=50_000)
    parser.add_argument("--mariadb", action="store_true", help="run on MariaDB at 127.0.0.1 (root, no password)")
    parser.add_argument("--reuse", action="store_true",
                        help="MariaDB: measure the portfolio a previous run left in programme_tracker_bench")
    args = parser.parse_args()
    configure(args)
    from django.db import connection

    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.scan import run_scan
    from programme_tracker.continuity.services import reevaluate_programmes
    from programme_tracker.portfolio.models import FundingPeriod, Programme

    started = time.perf_counter()
    if args.reuse and args.mariadb:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        build(args.programmes, args.periods)
    print(f"database: {connection.vendor}; {Programme.objects.count()} programmes and "
          f"{FundingPeriod.objects.count()} funding periods ready in {time.perf_counter() - started:.1f} s")
    first, first_queries, result = timed(run_scan)
    print(f"first full scan:  {first:8.3f} s  {first_queries:5d} queries  opened {result.counts['opened']} alerts")
    # Later scans find everything in place, like every daily scan after the first: the median of three.
    steady = [timed(run_scan) for _ in range(3)]
    again, again_queries = statistics.median(t for t, _q, _r in steady), steady[0][1]
    print(f"steady-state full scan: {again:8.3f} s (median of 3)  {again_queries:5d} queries")
    sample = list(Programme.objects.order_by("?").values_list("pk", flat=True)[:20])
    single = [timed(lambda pid=pid: reevaluate_programmes([pid])) for pid in sample]
    print(f"single-programme re-evaluation: median {statistics.median(t for t, _q, _r in single) * 1000:.1f} ms, "
          f"max {max(t for t, _q, _r in single) * 1000:.1f} ms, {single[0][1]} queries")
    floors = [floor_query() for _ in range(3)]
    floor, floor_rows = statistics.median(t for t, _n in floors), floors[0][1]
    print(f"floor (one SQL query for expiring funding, runs merged in SQL): {floor:.3f} s (median of 3; "
          f"{floor_rows} programmes)")
    naive = statistics.median(naive_query() for _ in range(3))
    print(f"naive aggregate (no run merging, a lower bound): {naive:.3f} s")
    print(f"ratio steady-state scan / floor: {again / floor:.1f}x; first scan / floor: {first / floor:.1f}x")
    print(f"open alerts: {Alert.objects.filter(state='open').count()}")


if __name__ == "__main__":
    main()
