"""Benchmark of the desk pages on a portfolio of 10k programmes (a script that prints figures, not a test).

    .venv/bin/python benchmarks/desk.py                 # SQLite in a throw-away folder
    .venv/bin/python benchmarks/desk.py --mariadb       # MariaDB at 127.0.0.1 (database programme_tracker_bench)
    .venv/bin/python benchmarks/desk.py --mariadb --redis --concurrent 10 --duration 30 --repeat 0

Builds benchmarks/scan.py's portfolio (10k programmes, 50k funding periods), links every programme to one or two
recommendations, gives it a budget line per year for five years, runs the continuity scan (so that the alerts
exist), and requests every desk page as a logged-in coordinator through Django's request handler (the whole
middleware and template stack, without the network). Prints the median and the 95th percentile per page over
`--repeat` requests, after one warm-up request. Target (issue 5): under 300 ms at the 95th percentile.

The dashboard, the coverage matrix and the monitoring report keep the figures that read all secured funding in
the cache until the portfolio changes (desk/snapshot.py); the script also times the first view after a change
(the cache emptied before each request).

`--concurrent N` then serves the site with gunicorn (`--workers` × `--threads`, 2 × 4 by default) on 127.0.0.1 at
a free port and runs N client threads over real HTTP (keep-alive, each with its own logged-in session) for
`--duration` seconds after `--warmup` seconds, three times: the page mix (every page above, round-robin, each
client starting at another page); an empty desk page (desk_floor.py: the desk's frame, header and sidebar,
without figures); and the floor (desk_floor.py: a minimal logged-in view rendering a small template, what any
Django page costs). Prints requests/s, p50/p95/p99 and the web server's CPU time per request (its worker
processes, from /proc; not the database's) of each, and the mix's ratios to the floor against the targets
(throughput at least half the floor's, p95 under 3× the floor's). Bounded: loopback only, a timeout per request,
at most `--max-requests` per phase. `--redis` starts a throw-away redis-server for the site (`redis_url`), so the
cache is Redis as in production; `PT_BENCH_DATABASE` names the MariaDB database.
"""

import argparse
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection, HTTPException
from pathlib import Path

from database import ROOT, configure  # benchmarks/database.py: the throw-away site and database
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


BENCHMARKS = Path(__file__).resolve().parent
TIMEOUT = 60  # seconds a single request may take before it counts as an error


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server on the port answers the path (any HTTP answer), or fail when it died or took too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except (OSError, HTTPException):
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} within {seconds} s")


def start_redis() -> tuple[subprocess.Popen, str]:
    """A throw-away redis-server on 127.0.0.1 (no persistence), so the benchmark touches nobody else's Redis."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    stop(process)
    raise SystemExit("redis-server did not start")


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    """The site under gunicorn as production serves it, with desk_floor.py's settings (the floor and the empty desk
    page added)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "programme_tracker.config.wsgi", "--pythonpath", f"{ROOT / 'apps'},{BENCHMARKS}",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--timeout", str(TIMEOUT * 2), "--log-level", "warning"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "desk_floor"})
    wait_for(port, "/bench/floor/", process)
    return process


def server_cpu(master: int) -> float:
    """CPU seconds the server's worker processes (the master's children) have used so far; 0 without /proc."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # user + system time
    return total


def stop(process: subprocess.Popen | None) -> None:
    """End a process this script started, and wait for it."""
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(30)


def client(port: int, cookie: str, urls: list[str], first: int, until: float, budget, results: list) -> None:
    """One client: requests the URLs round-robin from `first` until the time is up or the budget is spent; records
    (url, milliseconds, answered 200) per request."""
    connection = HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    for n in itertools.count(first):
        if time.monotonic() >= until or next(budget) <= 0:
            break
        url = urls[n % len(urls)]
        begun = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, HTTPException):
            connection.close()  # reconnects on the next request
            ok = False
        results.append((url, (time.perf_counter() - begun) * 1000, ok))
    connection.close()


def load(port: int, cookies: list[str], urls: list[str], seconds: float, max_requests: int) -> tuple[list, float]:
    """Every client at once for `seconds`: the results and the wall-clock seconds taken."""
    results: list = []
    budget = itertools.count(max_requests, -1)  # next() is atomic under the GIL: a shared countdown
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, cookie, urls, n, until, budget, results))
               for n, cookie in enumerate(cookies)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - begun


def summary(results: list, seconds: float, cpu: float) -> dict:
    """Requests, requests/s, p50/p95/p99 (ms), errors and server CPU ms per request of one phase."""
    times = [ms for _url, ms, _ok in results] or [0.0]
    return {"requests": len(results), "rate": len(results) / seconds, "p50": percentile(times, 0.50),
            "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
            "errors": sum(1 for _url, _ms, ok in results if not ok), "cpu": cpu * 1000 / max(1, len(results))}


def concurrent(args, pages: dict[str, str], user) -> None:
    """The page mix, the empty desk page and the floor under `args.concurrent` clients over HTTP (see the module's
    docstring)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    port = free_port()
    cookies = []
    for _n in range(args.concurrent):
        session = Client()
        session.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.cookies[settings.SESSION_COOKIE_NAME].value}")
    connection.close()  # the server's processes read the database meanwhile; this one is done with it
    server = start_gunicorn(port, args.workers, args.threads)
    phases, by_page = {}, {}
    try:
        for phase, urls in (("page mix", list(pages.values())), ("empty desk page", ["/bench/chrome/"]),
                            ("floor", ["/bench/floor/"])):
            load(port, cookies, urls, args.warmup, args.max_requests)
            cpu = server_cpu(server.pid)
            results, seconds = load(port, cookies, urls, args.duration, args.max_requests)
            phases[phase] = summary(results, seconds, server_cpu(server.pid) - cpu)
            by_page = by_page or {url: [ms for u, ms, _ok in results if u == url] for url in urls}
    finally:
        stop(server)
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"\n{args.concurrent} clients for {args.duration:g} s each (after {args.warmup:g} s warm-up), gunicorn "
          f"{args.workers} workers × {args.threads} threads on 127.0.0.1, cache {cache}:")
    print(f"{'':16s} {'requests':>9s} {'req/s':>7s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'errors':>7s} "
          f"{'server CPU/request':>19s}")
    for phase, s in phases.items():
        print(f"{phase:16s} {s['requests']:9d} {s['rate']:7.1f} {s['p50']:5.0f} ms {s['p95']:5.0f} ms "
              f"{s['p99']:5.0f} ms {s['errors']:7d} {s['cpu']:16.1f} ms")
    mix, floor = phases["page mix"], phases["floor"]
    print(f"mix ÷ floor: throughput {mix['rate'] / floor['rate']:.2f} (target ≥ 0.5), "
          f"p95 {mix['p95'] / floor['p95']:.1f}× (target < 3×)")
    print("the mix per page (p50 / p95 ms): " + "; ".join(
        f"{name} {statistics.median(by_page[url] or [0]):.0f} / {percentile(by_page[url] or [0], 0.95):.0f}"
        for name, url in pages.items()))


def single(args, pages: dict[str, str], user) -> None:
    """Each page `args.repeat` times, one request at a time, through Django's request handler (no network)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
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
    print(f"first view after a change (cache emptied), {args.repeat // 2} requests each:")
    for name in ("dashboard", "coverage matrix", "monitoring report"):
        times = []
        for _ in range(args.repeat // 2):
            cache.clear()
            begun = time.perf_counter()
            assert client.get(pages[name]).status_code == 200
            times.append((time.perf_counter() - begun) * 1000)
        print(f"{name:34s} {statistics.median(times):7.1f} ms {percentile(times, 0.95):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30, help="requests per page, one at a time (0: none)")
    parser.add_argument("--mariadb", action="store_true", help="run on MariaDB at 127.0.0.1 (root, no password)")
    parser.add_argument("--redis", action="store_true", help="give the site a throw-away Redis (redis_url)")
    parser.add_argument("--concurrent", type=int, default=0, metavar="N", help="then N clients over HTTP")
    parser.add_argument("--duration", type=float, default=30, help="seconds each concurrent phase is measured")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each phase, not measured")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--max-requests", type=int, default=100_000, help="at most this many requests per phase")
    args = parser.parse_args()
    redis = None
    try:
        if args.redis:
            redis, args.redis_url = start_redis()
        configure(args)
        run(args)
    finally:
        stop(redis)


def run(args) -> None:
    """Build the portfolio, then measure one request at a time and, with --concurrent, under load."""
    from django.db import connection
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
    if args.repeat:
        single(args, pages, coordinator)
    if args.concurrent:
        concurrent(args, pages, coordinator)


if __name__ == "__main__":
    main()
