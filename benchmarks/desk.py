"""Benchmark of the desk pages on a portfolio of 10k programmes (a script that prints figures, not a test).

    .venv/bin/python benchmarks/desk.py                 # SQLite in a throw-away folder
    .venv/bin/python benchmarks/desk.py --mariadb       # MariaDB at 127.0.0.1 (database programme_tracker_bench)

Builds benchmarks/scan.py's portfolio (10k programmes, 50k funding periods), links every programme to one or two
recommendations, gives it a budget line per year for five years, runs the continuity scan (so that the alerts
exist), and requests every desk page as a logged-in coordinator through Django's request handler (the whole
middleware and template stack, without the network). Prints the median and the 95th percentile per page over
`--repeat` requests, after one warm-up request. Target (issue 5): under 300 ms at the 95th percentile.

The dashboard, the coverage matrix and the monitoring report keep the figures that read all secured funding in
the cache until the portfolio changes (desk/snapshot.py); the script also times the first view after a change
(the cache emptied before each request).
"""

import argparse
import statistics
import time

from database import configure  # benchmarks/database.py: the throw-away site and database
from scan import build


def fill(first_year: int, years: int) -> None:
    """Recommendation links and budget lines for every programme, then the first full scan."""
    from decimal import Decimal

    from programme_tracker.continuity.scan import run_scan
    from programme_tracker.finance.models import BudgetLine
    from programme_tracker.portfolio.models import Programme, ProgrammeRecommendation, Recommendation

    recommendations = list(Recommendation.objects.order_by("code").values_list("pk", flat=True))
    links, lines = [], []
    for n, pk in enumerate(Programme.objects.order_by("pk").values_list("pk", flat=True)):
        links.append(ProgrammeRecommendation(programme_id=pk, recommendation_id=recommendations[n % 25]))
        if n % 3 == 0:
            links.append(ProgrammeRecommendation(programme_id=pk, recommendation_id=recommendations[(n + 7) % 25]))
        lines += [BudgetLine(programme_id=pk, fiscal_year=year, amount=Decimal(100000 + n % 977))
                  for year in range(first_year, first_year + years)]
    ProgrammeRecommendation.objects.bulk_create(links, batch_size=5000)
    BudgetLine.objects.bulk_create(lines, batch_size=5000)
    run_scan()


def percentile(values, share):
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--mariadb", action="store_true", help="run on MariaDB at 127.0.0.1 (root, no password)")
    args = parser.parse_args()
    configure(args)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from programme_tracker.accounts import roles
    from programme_tracker.accounts.services import create_account
    from programme_tracker.continuity.models import Alert
    from programme_tracker.portfolio.models import FundingPeriod, Programme

    started = time.perf_counter()
    build(args.programmes, args.periods)
    today = timezone.localdate()
    fill(today.year - 2, 5)
    print(f"database: {connection.vendor}; {Programme.objects.count()} programmes, "
          f"{FundingPeriod.objects.count()} funding periods, {Alert.objects.count()} alerts; "
          f"ready in {time.perf_counter() - started:.1f} s")
    coordinator, _password = create_account("bench-coordinator", roles.COORDINATOR, password="bench-password-2012")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(coordinator)
    middle = Programme.objects.order_by("code")[args.programmes // 2]
    pages = {
        "dashboard": reverse("desk:dashboard"),
        "timeline": reverse("desk:timeline"),
        "timeline, page 200": reverse("desk:timeline") + "?page=200",
        "timeline, active, not secured": reverse("desk:timeline") + "?status=active&secured=no",
        "coverage matrix": reverse("desk:coverage"),
        "coverage matrix, uncovered": reverse("desk:coverage") + "?coverage=uncovered",
        "alert inbox": reverse("desk:inbox"),
        "alert inbox, critical": reverse("desk:inbox") + "?severity=critical",
        "programme page": reverse("desk:programme", args=[middle.pk]),
        "monitoring report": reverse("desk:report"),
        "monitoring report, a year ago": reverse("desk:report") + f"?date={today.replace(year=today.year - 1)}",
        "monitoring report, XLSX": reverse("desk:report") + "?format=xlsx",
    }
    print(f"{'page':34s} {'median':>9s} {'p95':>9s} {'queries':>8s}   ({args.repeat} requests each)")
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm-up (templates, connection)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                begun = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - begun) * 1000)
            assert response.status_code == 200, url
        print(f"{name:34s} {statistics.median(times):7.1f} ms {percentile(times, 0.95):7.1f} ms "
              f"{len(queries.captured_queries):8d}")
    from django.core.cache import cache

    print(f"first view after a change (cache emptied), {args.repeat // 2} requests each:")
    for name in ("dashboard", "coverage matrix", "monitoring report"):
        times = []
        for _ in range(args.repeat // 2):
            cache.clear()
            begun = time.perf_counter()
            assert client.get(pages[name]).status_code == 200
            times.append((time.perf_counter() - begun) * 1000)
        print(f"{name:34s} {statistics.median(times):7.1f} ms {percentile(times, 0.95):7.1f} ms")


if __name__ == "__main__":
    main()
