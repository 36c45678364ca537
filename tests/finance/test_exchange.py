"""The money in the portfolio exchange: round trip, re-import writes nothing, changes by identity, errors named."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.portfolio.exchange import PortfolioImportError, export_portfolio, import_portfolio
from programme_tracker.portfolio.models import FundingPeriod
from programme_tracker.setup.demo import load_demo

MONEY = (BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche)


@pytest.fixture
def demo(base):
    load_demo(date(2026, 11, 29))
    return export_portfolio()


def money_history():
    return sum(model.history.count() for model in MONEY)


def stop_it_now(document):
    return next(r for r in document["funding_money"] if r["funding_period"] == "STOP-IT-NOW-2025")


def test_the_money_is_in_the_document(demo):
    record = stop_it_now(demo)
    assert record["commitments"][0]["reference"] == "DEMO-VWS-2025-0412"
    tranche = next(t for t in record["tranches"] if t["requires_report"])
    assert tranche["requires_report"] in {r["title"] for r in record["reports_due"]}
    assert record["payments"] and record["expenditure"]
    assert next(b for b in demo["budgets"] if b["programme"] == "STOP-IT-NOW")["budget_lines"]


def test_round_trip_with_money_into_an_empty_site(demo):
    FundingPeriod.objects.all().delete()
    BudgetLine.objects.all().delete()
    assert not any(model.objects.exists() for model in MONEY)
    import_portfolio(copy.deepcopy(demo))
    assert export_portfolio() == demo


def test_reimport_writes_no_money(demo):
    before = money_history()
    counts = import_portfolio(copy.deepcopy(demo))
    assert counts["funding_money"]["created"] == counts["funding_money"]["updated"] == 0
    assert money_history() == before


def test_records_change_by_identity_and_leave_when_left_out(demo):
    document = copy.deepcopy(demo)
    record = stop_it_now(document)
    payment = Payment.objects.get(reference=record["payments"][0]["reference"])
    record["payments"][0]["amount"] = "1.00"
    record["expenditure"] = []
    import_portfolio(document)
    payment.refresh_from_db()
    assert payment.amount == Decimal("1.00")  # the same record, updated
    assert payment.history.first().history_type == "~"
    assert not Expenditure.objects.filter(funding_period__code="STOP-IT-NOW-2025").exists()
    assert export_portfolio() == document


def test_bad_money_is_named_and_nothing_changes(demo):
    document = copy.deepcopy(demo)
    record = stop_it_now(document)
    record["payments"][0]["amount"] = "-1.00"
    record["tranches"][0]["requires_report"] = "No such report"
    record["commitments"][0]["colour"] = "red"
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(document)
    errors = caught.value.errors
    assert "funding_money STOP-IT-NOW-2025 payments #1: amount: Ensure this value is greater than or equal to 0." \
        in errors, errors
    assert "funding_money STOP-IT-NOW-2025: requires_report: no report titled 'No such report' in this funding " \
           "period" in errors
    assert "funding_money STOP-IT-NOW-2025: commitments #1: colour: unknown field" in errors
    assert export_portfolio() == demo
