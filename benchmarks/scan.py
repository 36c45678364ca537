"""Benchmark of the continuity scan on a synthetic portfolio (a script that prints figures, not a test).

    .venv/bin/python benchmarks/scan.py                                  # SQLite: 10k programmes, 50k periods
    .venv/bin/python benchmarks/scan.py --mariadb --programmes 100000 --periods 1000000

SQLite runs in a throw-away folder; MariaDB uses (and first empties) the database `programme_tracker_bench` on
127.0.0.1 as root (`--reuse` measures the portfolio the last run left there, its alerts removed first). Builds the
portfolio with its money, then prints the full-scan time (the first scan, which opens the alerts, and the median of
three steady-state scans), a single programme's re-evaluation, the floor (the cheapest exact query for expiring
funding), their ratio, the query counts, and each rule's own time.
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

    from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme
    from programme_tracker.setup.services import prepare_site

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


def add_money() -> None:
    """Money on the portfolio, shaped like a real one, written set-based (INSERT … SELECT) in seconds.

    A commitment on nine of every ten funding periods (the amount of the period, or 110 % of it for every 17th);
    reported expenditure, in two half-year lines, on a third of the secured periods: for one in fifty of those
    more than was committed (overspend), for one in fifty 95 % (near it), for three in fifty less than half
    (underspend near the end), the rest about 70 %. The committed periods of every fifth programme have a progress
    report due 200 days after their start and a tranche waiting for it a month later; a tenth of those reports
    never came.
    """
    from django.db import connection

    from programme_tracker.portfolio.models import Organisation

    organisation = Organisation.objects.get(short_name="JenV").pk
    mysql = connection.vendor == "mysql"
    concat = (lambda *parts: f"CONCAT({', '.join(parts)})") if mysql else (lambda *parts: " || ".join(parts))
    half = "DATE_ADD(start, INTERVAL 182 DAY)" if mysql else "date(start, '+182 day')"
    after_half = "DATE_ADD(start, INTERVAL 183 DAY)" if mysql else "date(start, '+183 day')"
    # The share of the commitment spent in total, split over two lines.
    share = ("(CASE (id + programme_id) % 50 WHEN 0 THEN 1.05 WHEN 1 THEN 0.95 WHEN 2 THEN 0.30 WHEN 3 THEN 0.40 "
             "WHEN 4 THEN 0.45 ELSE 0.70 END)")
    secured = "status IN ('committed', 'disbursing', 'closed')"
    due_day = "DATE_ADD(start, INTERVAL 200 DAY)" if mysql else "date(start, '+200 day')"
    statements = [
        f"""INSERT INTO finance_commitment (funding_period_id, reference, decided_on, amount, currency, conditions,
                version)
            SELECT id, {concat("'C-'", "id")}, start, CASE WHEN id % 17 = 0 THEN amount * 1.10 ELSE amount END,
                'EUR', '', 0
            FROM portfolio_fundingperiod WHERE id % 10 <> 0""",
        f"""INSERT INTO finance_expenditure (funding_period_id, organisation_id, period_start, period_end, category,
                amount, currency, version)
            SELECT id, {organisation}, start, {half}, 'activities', ROUND(amount * {share} / 2, 2), 'EUR', 0
            FROM portfolio_fundingperiod WHERE (id + programme_id) % 3 = 0 AND {secured}""",
        f"""INSERT INTO finance_expenditure (funding_period_id, organisation_id, period_start, period_end, category,
                amount, currency, version)
            SELECT id, {organisation}, {after_half}, "end", 'activities', ROUND(amount * {share} / 2, 2), 'EUR', 0
            FROM portfolio_fundingperiod WHERE (id + programme_id) % 3 = 0 AND {secured}""",
        f"""INSERT INTO finance_reportdue (funding_period_id, kind, title, due_on, version)
            SELECT id, 'progress', {concat("'Progress report '", "code")}, {due_day}, 0
            FROM portfolio_fundingperiod WHERE programme_id % 5 = 0 AND status = 'committed'""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql.replace('"end"', "`end`") if mysql else sql)
        # The tranche waits for the report; its planned date is the report's due date plus a month.
        tranche_day = "DATE_ADD(due_on, INTERVAL 30 DAY)" if mysql else "date(due_on, '+30 day')"
        cursor.execute(f"""INSERT INTO finance_tranche (funding_period_id, planned_on, amount, currency,
                requires_report_id, version)
            SELECT funding_period_id, {tranche_day}, 25000, 'EUR', id, 0 FROM finance_reportdue""")
        cursor.execute("UPDATE finance_reportdue SET received_on = due_on, approved_on = due_on WHERE id % 10 <> 0")


def timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result


def rule_times() -> list[tuple[str, float, int, int]]:
    """Each rule on its own over the whole portfolio, with a fresh context (so with the data it loads itself; in a
    scan, rules share the secured runs and the programme list): (rule, seconds, queries, findings)."""
    from django.utils import timezone

    from programme_tracker.continuity.rules import RULES, Context

    times = []
    for name, rule in RULES.items():
        ctx = Context(today=timezone.localdate())
        elapsed, queries, found = timed(lambda rule=rule, ctx=ctx: list(rule.findings(ctx)))
        times.append((name, elapsed, queries, len(found)))
    return times


def floor_query() -> tuple[float, int]:
    """The floor: the cheapest exact query for expiring funding of active programmes: their secured periods
    ending within the 180-day horizon with no secured period of the same programme ending later (an anti-join on
    the (programme, status, end) index). Returns (seconds, rows)."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    sql = """
        SELECT f.programme_id, f."end" FROM portfolio_fundingperiod f
        JOIN portfolio_programme p ON p.id = f.programme_id
        WHERE f.status IN ('committed', 'disbursing', 'closed') AND f."end" BETWEEN %s AND %s
          AND p.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM portfolio_fundingperiod later
                          WHERE later.programme_id = f.programme_id AND later."end" > f."end"
                            AND later.status IN ('committed', 'disbursing', 'closed'))
    """
    if connection.vendor == "mysql":
        sql = sql.replace('"end"', "`end`")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [today, today + timedelta(days=180)])
        rows = cursor.fetchall()
        return time.perf_counter() - started, len(rows)


def runs_query() -> float:
    """For comparison: rule 1 on the merged runs (gaps and islands in one SQL query), which the scan needs for
    rules 1, 2, 5 and 6 and which the floor leaves out."""
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
        with connection.cursor() as cursor:  # so that the first scan below is a first scan again
            for table in ("notifications_notification", "continuity_alertevent", "continuity_alert"):
                cursor.execute(f"DELETE FROM {table}")
    else:
        build(args.programmes, args.periods)
        add_money()
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
    print(f"floor (the cheapest exact query for expiring funding): {floor:.3f} s (median of 3; "
          f"{floor_rows} programmes)")
    merged = statistics.median(runs_query() for _ in range(3))
    print(f"for comparison, rule 1 on runs merged in one SQL query: {merged:.3f} s")
    print(f"ratio steady-state scan / floor: {again / floor:.1f}x; first scan / floor: {first / floor:.1f}x")
    print("each rule on its own (with the data it loads; a scan shares the runs and the programme list):")
    for name, seconds, queries, found in rule_times():
        print(f"  {name:26} {seconds:7.3f} s  {queries:3d} queries  {found:6d} findings")
    print(f"open alerts: {Alert.objects.filter(state='open').count()}")


if __name__ == "__main__":
    main()
