"""The scan holds its lock only while it writes: people acting on alerts never wait for the rules or the listing,
and a scan never writes findings that another scan has overtaken."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections

from programme_tracker.accounts import roles
from programme_tracker.continuity import scan as scan_module
from programme_tracker.continuity import services
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.portfolio.models import FundingPeriod
from tests.builders import T, day, fund, make_programme


@pytest.fixture
def owner(accounts):
    return accounts[roles.COORDINATOR]


def portfolio(owner, size: int) -> None:
    """`size` programmes, each with funding ending within weeks (so each has alerts) and a later closed period."""
    for _n in range(size):
        programme = make_programme(owner)
        fund(programme, day(-400), day(-40), status="closed", renewal_decision="renewed",
             renewal_decision_date=day(-100))
        fund(programme, day(-39), day(20))


def statements_of(function) -> list[str]:
    """The SQL statements `function` runs, in order."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        function()
    return statements


def locked_part(statements: list[str]) -> list[str]:
    """The statements from the scan lock on (the lock is the UPDATE of the scan state's locked_at)."""
    lock = next(i for i, sql in enumerate(statements) if "UPDATE" in sql and "locked_at" in sql)
    return statements[lock:]


def test_the_rules_read_the_portfolio_before_the_lock_is_taken(owner):
    portfolio(owner, 3)
    run_scan(T)

    statements = statements_of(lambda: run_scan(T))

    under_lock = locked_part(statements)
    assert not [sql for sql in under_lock if "portfolio_fundingperiod" in sql]
    assert len(under_lock) < len(statements) / 2


def test_the_writes_under_the_lock_do_not_grow_with_the_portfolio(owner):
    portfolio(owner, 3)
    run_scan(T)
    small = len(locked_part(statements_of(lambda: run_scan(T))))
    portfolio(owner, 30)
    run_scan(T)
    assert len(locked_part(statements_of(lambda: run_scan(T)))) == small


def test_a_scan_overtaken_while_it_read_reads_again_before_it_writes(owner, monkeypatch):
    """A grant extended (and its programme re-evaluated) while a full scan reads must not come back as an alert."""
    programme = make_programme(owner)
    period = fund(programme, day(-300), day(20))
    run_scan(T)
    assert Alert.objects.get(programme=programme, rule="funding-expiring").state == AlertState.OPEN
    take_lock = scan_module.take_scan_lock
    extended = []

    def extend_then_lock():
        if not extended:  # between the full scan's reading and its lock, once
            extended.append(True)
            FundingPeriod.objects.filter(pk=period.pk).update(end=day(400))
            services.reevaluate_programmes([programme.pk], as_of=T)
        return take_lock()

    monkeypatch.setattr(scan_module, "take_scan_lock", extend_then_lock)
    run_scan(T)

    assert extended
    assert Alert.objects.get(programme=programme, rule="funding-expiring").state == AlertState.RESOLVED


# -- with a second connection: the real thing, on MariaDB (the SQLite test database is one connection) ----------
def needs_two_connections():
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database shared by two connections (runs on MariaDB in CI)")


def acknowledge_without_waiting(alert_id, actor):
    """Acknowledge on this connection, giving up after one second of waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
    try:
        services.acknowledge(alert_id, actor=actor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")


def acknowledged_while_paused(accounts, is_marker, work) -> Alert:
    """Pause `work` on another thread and connection at its first statement for which `is_marker(sql)` is true,
    acknowledge an open alert meanwhile (failing on a lock wait), let `work` finish; returns the alert."""
    owner = accounts[roles.COORDINATOR]
    portfolio(owner, 5)
    run_scan(T)
    alert = Alert.objects.filter(state=AlertState.OPEN).first()
    reached, resume, errors = threading.Event(), threading.Event(), []

    def pause(execute, sql, params, many, context):
        if is_marker(sql) and not reached.is_set():
            reached.set()
            resume.wait(30)
        return execute(sql, params, many, context)

    def run():
        try:
            with connections["default"].execute_wrapper(pause):
                work()
        except Exception as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections["default"].close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        while not reached.wait(0.1):
            assert thread.is_alive(), f"the other thread ended before reaching the statement: {errors}"
        acknowledge_without_waiting(alert.pk, owner)  # OperationalError (lock wait timeout) if it has to wait
    finally:
        resume.set()
        thread.join()
    assert not errors
    alert.refresh_from_db()
    return alert


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_an_alert_is_acknowledged_while_a_scan_reads_the_portfolio(base, accounts):
    needs_two_connections()
    alert = acknowledged_while_paused(accounts, lambda sql: "portfolio_fundingperiod" in sql,
                                      lambda: run_scan(T + timedelta(days=1)))
    assert alert.state == AlertState.ACKNOWLEDGED


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_an_alert_is_acknowledged_while_the_scan_command_lists_the_alerts(base, accounts):
    needs_two_connections()

    def listing(sql):  # the command's list of alerts, with their programme, period and recommendation
        return sql.startswith("SELECT") and "FROM `continuity_alert` LEFT OUTER JOIN" in sql

    alert = acknowledged_while_paused(accounts, listing,
                                      lambda: call_command("scan", as_of=T, stdout=io.StringIO()))
    assert alert.state == AlertState.ACKNOWLEDGED
