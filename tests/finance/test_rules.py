"""The finance rules: cases that fire and near misses a day (or a cent) either side of each boundary."""

from decimal import Decimal

import pytest

from programme_tracker.accounts import roles
from programme_tracker.continuity.rules import RULES, Context
from programme_tracker.finance.models import Commitment, Expenditure, Payment, ReportDue, Tranche
from tests.builders import T, day, fund, make_programme


def found(rule, today=T):
    return [(f.subject_label, f.key, f.severity) for f in RULES[rule].findings(Context(today=today))]


@pytest.fixture
def period(accounts, ministry):
    """A committed funding period T−300 … T+65 of an active programme."""
    return fund(make_programme(accounts[roles.COORDINATOR]), day(-300), day(65), amount=Decimal("1000.00"))


def spend(period, amount, month=1):
    Expenditure.objects.create(funding_period=period, organisation=period.funder, period_start=day(-300 + 30 * month),
                               period_end=day(-271 + 30 * month), category="personnel", amount=Decimal(amount))


@pytest.mark.parametrize(("planned", "fires", "severity"), [(0, False, None), (-1, True, "warning"),
                                                             (-30, True, "warning"), (-31, True, "critical")])
def test_tranche_overdue(period, planned, fires, severity):
    Tranche.objects.create(funding_period=period, planned_on=day(planned), amount=Decimal("500.00"))
    expected = [(f"{period.code} {day(planned)}", day(planned).isoformat(), severity)] if fires else []
    assert found("tranche-overdue") == expected


def test_tranche_overdue_until_fully_paid(period):
    tranche = Tranche.objects.create(funding_period=period, planned_on=day(-5), amount=Decimal("500.00"))
    Payment.objects.create(funding_period=period, tranche=tranche, paid_on=day(-2), amount=Decimal("499.99"),
                           reference="P-1")
    assert len(found("tranche-overdue")) == 1
    Payment.objects.create(funding_period=period, tranche=tranche, paid_on=day(-1), amount=Decimal("0.01"),
                           reference="P-2")
    assert found("tranche-overdue") == []


def test_tranche_blocked_by_a_report_not_approved(period):
    report = ReportDue.objects.create(funding_period=period, kind="progress", title="Progress report H1",
                                      due_on=day(-10))
    Tranche.objects.create(funding_period=period, planned_on=day(31), amount=Decimal("1.00"), requires_report=report)
    soon = Tranche.objects.create(funding_period=period, planned_on=day(30), amount=Decimal("1.00"),
                                  requires_report=report)
    assert found("tranche-blocked") == [(f"{period.code} {day(30)}", day(30).isoformat(), "warning")]
    report.received_on, report.approved_on = day(-3), day(-1)
    report.save()
    assert found("tranche-blocked") == []
    soon.delete()


@pytest.mark.parametrize(("due", "received", "fires"), [(0, None, False), (-1, None, True), (-1, -1, False)])
def test_report_overdue(period, due, received, fires):
    ReportDue.objects.create(funding_period=period, kind="financial", title="Financial report 2025", due_on=day(due),
                             received_on=day(received) if received is not None else None)
    assert [f[1] for f in found("report-overdue")] == ([day(due).isoformat()] if fires else [])


@pytest.mark.parametrize(("spent", "expected"), [("899.99", []), ("900.00", [("near", "warning")]),
                                                 ("1000.00", [("near", "warning")]),
                                                 ("1000.01", [("over", "critical")])])
def test_overspend_against_the_period_amount(period, spent, expected):
    spend(period, spent)
    assert [(key, severity) for _label, key, severity in found("overspend")] == expected


def test_overspend_against_the_commitments_when_there_are_any(period):
    Commitment.objects.create(funding_period=period, reference="BESLUIT-1", decided_on=day(-310),
                              amount=Decimal("600.00"))
    Commitment.objects.create(funding_period=period, reference="BESLUIT-2", decided_on=day(-100),
                              amount=Decimal("600.00"))
    spend(period, "1100.00", month=1)  # above the period's 1000, within the 1200 committed
    spend(period, "5.00", month=2)
    assert [(key, severity) for _label, key, severity in found("overspend")] == [("near", "warning")]


@pytest.mark.parametrize(("today_offset", "spent", "fires"), [
    (-26, "0.00", False),    # 91 days before the end: not checked yet
    (-25, "499.99", True),   # 90 days before the end, under half spent
    (-25, "500.00", False),  # half spent
    (65, "0.00", True),      # the last day
    (66, "0.00", False),     # after the end
    (0, None, False),        # nothing reported at all: nothing to say about spending
])
def test_underspend_near_the_end(period, today_offset, spent, fires):
    if spent is not None:
        spend(period, spent)
    result = found("underspend", today=day(today_offset))
    assert [key for _label, key, _severity in result] == ([day(65 - 90).isoformat()] if fires else [])


def test_finance_rules_leave_ended_programmes_alone(accounts, ministry):
    ended = fund(make_programme(accounts[roles.COORDINATOR], status="ended"), day(-300), day(65))
    Tranche.objects.create(funding_period=ended, planned_on=day(-5), amount=Decimal("5.00"))
    ReportDue.objects.create(funding_period=ended, kind="financial", title="Final", due_on=day(-5))
    spend(ended, "5000.00")
    assert not any(found(rule) for rule in ("tranche-overdue", "report-overdue", "overspend", "underspend"))


def test_a_tranche_that_waits_for_no_report_is_never_blocked(period):
    Tranche.objects.create(funding_period=period, planned_on=day(10), amount=Decimal("500.00"))
    Tranche.objects.create(funding_period=period, planned_on=day(-40), amount=Decimal("500.00"))
    assert found("tranche-blocked") == []
    assert [key for _label, key, _severity in found("tranche-overdue")] == [day(-40).isoformat()]
