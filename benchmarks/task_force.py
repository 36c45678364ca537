"""Benchmark of the task force at national scale (a script that prints figures, not a test).

    .venv/bin/python benchmarks/task_force.py                       # SQLite: 10k programmes, 5k actions
    .venv/bin/python benchmarks/task_force.py --mariadb --programmes 100000 --periods 200000 --actions 50000

Builds the scan benchmark's portfolio with its money (benchmarks/scan.py), scans it to open the alerts, then gives
it a task force: 50 members, two years of held meetings, decisions on a tenth of the open alerts, and the action
items (a tenth of them overdue), each linked to a programme, a fifth also to an alert. Prints:

- the agenda proposal for the next meeting: the first time (adding the items) and again (adding nothing);
- the steady-state daily scan with every rule and without the five task-force rules (median of 3 each), and the
  share the task-force rules add;
- each task-force rule on its own, and the three task-force figures of the dashboard.
"""

import argparse
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as clock

from database import configure  # benchmarks/database.py: the throw-away site and database
from scan import add_money, build, timed  # the scan benchmark's portfolio


def add_task_force(actions: int) -> dict:
    """Members, meetings, decisions and actions, written in bulk (the history rows too, as the desk would)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from programme_tracker.continuity.models import Alert
    from programme_tracker.portfolio.models import Organisation, Programme
    from programme_tracker.taskforce.models import ActionItem, Decision, Meeting, Member

    today = timezone.localdate()
    ministry = Organisation.objects.get(short_name="JenV")
    people = list(get_user_model().objects.filter(username__startswith="owner").order_by("pk"))
    Member.objects.bulk_create([Member(person=person, organisation=ministry, since=today - timedelta(days=800),
                                       role="chair" if n == 0 else "member") for n, person in enumerate(people)])
    held = [Meeting(starts_at=timezone.make_aware(datetime.combine(today - timedelta(days=90 * n), clock(10))),
                    status="held", minutes_approved_on=today - timedelta(days=90 * n - 14)) for n in range(1, 9)]
    Meeting.objects.bulk_create(held)
    planned = Meeting.objects.create(starts_at=timezone.make_aware(datetime.combine(today + timedelta(days=14),
                                                                                    clock(10))))
    held = list(Meeting.objects.filter(status="held").order_by("starts_at"))
    alerts = list(Alert.objects.filter(state="open").exclude(rule__startswith="recommendation")
                  .order_by("pk").values_list("pk", flat=True))
    decided = alerts[::10]
    decisions = [Decision(year=held[n % len(held)].starts_at.year, sequence=n + 1, meeting=held[n % len(held)],
                          decided_on=held[n % len(held)].starts_at.date(), kind="other", text=f"Decision {n}",
                          deadline=today + timedelta(days=(n % 200) - 30)) for n in range(len(decided))]
    # Numbered per year: the sequence restarts in each year of the meetings.
    per_year: dict[int, int] = {}
    for decision in decisions:
        per_year[decision.year] = per_year.get(decision.year, 0) + 1
        decision.sequence = per_year[decision.year]
    bulk_create_with_history(decisions, Decision, batch_size=2000)
    decisions = list(Decision.objects.order_by("pk").values_list("pk", flat=True))
    Decision.alerts.through.objects.bulk_create(
        [Decision.alerts.through(decision_id=d, alert_id=a) for d, a in zip(decisions, decided, strict=True)],
        batch_size=5000)
    programmes = list(Programme.objects.order_by("pk").values_list("pk", flat=True))
    items = [ActionItem(what=f"Action {n}", owner=people[n % len(people)], organisation=ministry,
                        decision_id=decisions[n % len(decisions)] if decisions and n % 2 else None,
                        due_on=today + timedelta(days=(n % 100) - 10)) for n in range(actions)]
    bulk_create_with_history(items, ActionItem, batch_size=2000)
    ids = list(ActionItem.objects.order_by("pk").values_list("pk", flat=True))
    ActionItem.programmes.through.objects.bulk_create(
        [ActionItem.programmes.through(actionitem_id=pk, programme_id=programmes[n % len(programmes)])
         for n, pk in enumerate(ids)], batch_size=5000)
    undecided = alerts[1::10]
    ActionItem.alerts.through.objects.bulk_create(
        [ActionItem.alerts.through(actionitem_id=pk, alert_id=undecided[n % len(undecided)])
         for n, pk in enumerate(ids[::5])], batch_size=5000, ignore_conflicts=True)
    return {"planned": planned, "decisions": len(decisions), "actions": len(ids)}


def median_scan(rules=None) -> tuple[float, int]:
    """The median of three steady-state full scans (with these rules only, when given), and its queries."""
    from programme_tracker.continuity.scan import run_scan

    runs = [timed(lambda: run_scan(rules=rules)) for _ in range(3)]
    return statistics.median(seconds for seconds, _q, _r in runs), runs[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=20_000)
    parser.add_argument("--actions", type=int, default=5_000)
    parser.add_argument("--mariadb", action="store_true", help="run on MariaDB at 127.0.0.1 (root, no password)")
    args = parser.parse_args()
    configure(args)
    from django.db import connection
    from django.utils import timezone

    from programme_tracker.continuity.models import Alert
    from programme_tracker.continuity.rules import RULES, Context
    from programme_tracker.continuity.scan import run_scan
    from programme_tracker.taskforce.agenda import propose
    from programme_tracker.taskforce.figures import TASK_FORCE_RULES, figures

    started = time.perf_counter()
    build(args.programmes, args.periods)
    add_money()
    run_scan()
    # Alerts a month old, as on a site in use: old enough for the task force's decision-needed rule to judge.
    Alert.objects.update(opened_at=timezone.now() - timedelta(days=30))
    built = add_task_force(args.actions)
    run_scan()  # the task force's own alerts (overdue actions, decisions not implemented) opened
    print(f"database: {connection.vendor}; {args.programmes} programmes, {built['decisions']} decisions, "
          f"{built['actions']} action items, {Alert.objects.filter(state='open').count()} open alerts; "
          f"ready in {time.perf_counter() - started:.0f} s")

    first, first_queries, done = timed(lambda: propose(built["planned"].pk, actor=None))
    print(f"agenda proposal, first:  {first:7.3f} s  {first_queries:4d} queries  {done.added} items added, "
          f"{done.left_out} left out")
    again, again_queries, done = timed(lambda: propose(built["planned"].pk, actor=None))
    print(f"agenda proposal, again:  {again:7.3f} s  {again_queries:4d} queries  {done.added} items added, "
          f"{done.left_out} left out")

    others = [name for name in RULES if name not in TASK_FORCE_RULES]
    every, every_queries = median_scan()
    without, without_queries = median_scan(others)
    print(f"steady-state daily scan, every rule:          {every:7.3f} s  {every_queries:4d} queries")
    print(f"steady-state daily scan, without the task force: {without:7.3f} s  {without_queries:4d} queries")
    print(f"the five task-force rules add {100 * (every - without) / without:.1f} % to the daily scan")
    print("each task-force rule on its own:")
    for name in TASK_FORCE_RULES:
        ctx = Context(today=timezone.localdate())
        seconds, queries, found = timed(lambda name=name, ctx=ctx: list(RULES[name].findings(ctx)))
        print(f"  {name:26} {seconds:7.3f} s  {queries:3d} queries  {len(found):6d} findings")
    seconds, queries, _found = timed(lambda: figures(timezone.localdate()))
    print(f"the dashboard's three task-force figures: {seconds:7.3f} s  {queries} queries")


if __name__ == "__main__":
    main()
