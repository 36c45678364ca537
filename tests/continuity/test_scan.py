"""The scan: idempotent, the alert lifecycle, re-evaluation on save, constant query counts, the demo's alerts."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity import services
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert, AlertEvent, ScanState
from programme_tracker.continuity.scan import run_scan
from programme_tracker.portfolio.models import FundingPeriod
from programme_tracker.setup.demo import load_demo
from tests.builders import T, day, fund, make_programme


@pytest.fixture
def owner(accounts):
    return accounts[roles.COORDINATOR]


def snapshot():
    return sorted(Alert.objects.values_list("rule", "subject_key", "key", "state", "severity", "message",
                                            "assignee_id", "last_seen"))


def test_scan_twice_changes_nothing(owner):
    p = make_programme(owner, last_reviewed=None)
    fund(p, day(-10), day(20))
    run_scan(T)
    assert set(Alert.objects.filter(programme=p).values_list("rule", flat=True)) == {
        "funding-expiring", "stale-record", "renewal-decision-overdue"}
    before, events = snapshot(), AlertEvent.objects.count()
    second = run_scan(T)
    assert snapshot() == before and AlertEvent.objects.count() == events
    assert second.counts == {}


def test_extending_funding_resolves_the_alert_and_a_new_end_opens_a_new_one(owner):
    p = make_programme(owner)
    period = fund(p, day(-10), day(20))
    run_scan(T)
    old = Alert.objects.get(rule="funding-expiring")
    assert (old.key_date, old.severity, old.state, old.assignee) == (day(20), "critical", "open", owner)
    period.end = day(100)
    period.save()
    run_scan(T)
    old.refresh_from_db()
    assert old.state == AlertState.RESOLVED
    new = Alert.objects.get(rule="funding-expiring", state="open")
    assert (new.key_date, new.severity) == (day(100), "info")
    assert list(old.events.values_list("kind", flat=True)) == ["opened", "resolved"]


def test_acknowledge_dismiss_and_reopen_after_the_accepted_date(owner, accounts):
    p = make_programme(owner)
    fund(p, day(-10), day(60))
    run_scan(T)
    alert = Alert.objects.get(rule="funding-expiring")
    services.acknowledge(alert.pk, actor=owner)
    with pytest.raises(ValidationError):
        services.acknowledge(alert.pk, actor=owner)  # already acknowledged
    with pytest.raises(ValidationError):
        services.dismiss(alert.pk, actor=owner, reason="  ")  # a reason is required
    services.dismiss(alert.pk, actor=owner, reason="Bridging money agreed verbally",
                     accepted_until=T + timedelta(days=10), today=T)
    run_scan(T + timedelta(days=10))
    alert.refresh_from_db()
    assert alert.state == AlertState.DISMISSED  # still accepted on that day
    run_scan(T + timedelta(days=11))
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN
    kinds = list(alert.events.values_list("kind", "actor__username"))
    assert kinds == [("opened", None), ("acknowledged", owner.username), ("dismissed", owner.username),
                     ("reopened", None)]


def test_reassign_sticks_until_given_back(owner, accounts):
    p = make_programme(owner)
    fund(p, day(-10), day(60))
    run_scan(T)
    alert = Alert.objects.get(rule="funding-expiring")
    finance = accounts[roles.FINANCE_OFFICER]
    services.reassign(alert.pk, actor=owner, assignee=finance)
    run_scan(T)
    alert.refresh_from_db()
    assert alert.assignee == finance
    services.reassign(alert.pk, actor=owner, assignee=None)
    alert.refresh_from_db()
    assert alert.assignee == owner


def test_saving_a_funding_period_re_evaluates_its_programme(owner, django_capture_on_commit_callbacks):
    today = timezone.localdate()  # re-evaluation runs on today's date
    p = make_programme(owner)
    with django_capture_on_commit_callbacks(execute=True):
        period = fund(p, today - timedelta(days=10), today + timedelta(days=20))
    assert Alert.objects.filter(programme=p, rule="funding-expiring", state="open").get().key_date == period.end
    with django_capture_on_commit_callbacks(execute=True):
        period.end = today + timedelta(days=400)
        period.save()
    assert not Alert.objects.filter(programme=p, rule="funding-expiring", state="open").exists()


def build_portfolio(owner, size):
    for n in range(size):
        p = make_programme(owner, planned_start=day(-400), last_reviewed=None if n % 3 == 0 else T)
        fund(p, day(-400), day(n % 200))
        if n % 4 == 0:
            fund(p, day(n % 200 + 10), day(600))


def scan_queries():
    """Queries of one scan, leaving out INSERTs: their batches follow the database's limit on parameters per
    statement (SQLite's is small), so a first scan of a larger portfolio inserts its new alerts in more batches."""
    with CaptureQueriesContext(connection) as ctx:
        run_scan(T)
    return len([q for q in ctx.captured_queries if not q["sql"].startswith("INSERT")])


def test_scan_query_count_does_not_grow_with_the_portfolio(owner):
    ScanState.objects.create(pk=1)
    build_portfolio(owner, 12)
    small_first, small_again = scan_queries(), scan_queries()
    Alert.objects.all().delete()
    build_portfolio(owner, 120)
    large_first, large_again = scan_queries(), scan_queries()
    assert Alert.objects.count() > 100
    assert (small_first, small_again) == (large_first, large_again)


def test_demo_shows_every_kind_of_alert(base, capsys):
    load_demo(timezone.localdate())
    call_command("scan", "--json")
    alerts = json.loads(capsys.readouterr().out)
    assert {a["rule"] for a in alerts} == {
        "funding-expiring", "funding-gap", "renewal-decision-overdue", "unowned-measure", "recommendation-uncovered",
        "recommendation-at-risk", "ended-without-successor", "stale-record",
        "tranche-overdue", "tranche-blocked", "report-overdue", "underspend",
        "action-overdue", "decision-not-implemented", "minutes-not-approved",
    }
    expiring = next(a for a in alerts if a["rule"] == "funding-expiring" and a["subject"] == "STOP-IT-NOW")
    assert expiring["key_date"] == (timezone.localdate() + timedelta(days=45)).isoformat()
    assert expiring["severity"] == "warning" and expiring["state"] == "open"
    assert set(expiring) >= {"rule", "subject", "key_date", "severity", "state", "until_date"}


def test_scan_dry_run_saves_nothing(base, capsys):
    load_demo(timezone.localdate())
    call_command("scan", "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not Alert.objects.exists()


def test_a_resolved_alert_keeps_the_facts_it_was_last_found_with(owner):
    p = make_programme(owner)
    period = fund(p, day(-300), day(20))
    run_scan(T)
    before = Alert.objects.get(programme=p, rule="funding-expiring")
    FundingPeriod.objects.filter(pk=period.pk).update(end=day(400))  # no re-evaluation: the next scan finds it
    run_scan(T)
    after = Alert.objects.get(pk=before.pk)
    assert after.state == AlertState.RESOLVED
    assert (after.message, after.message_data, after.severity, after.key_date) == (
        before.message, before.message_data, before.severity, before.key_date)
    assert before.message.startswith("Secured funding ends on")
