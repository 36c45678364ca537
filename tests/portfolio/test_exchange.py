"""Portfolio exchange: documented JSON out, create-or-update by code in, all or nothing."""

import copy
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from programme_tracker.portfolio.exchange import PortfolioImportError, export_portfolio, import_portfolio
from programme_tracker.portfolio.models import (
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRecommendation,
    Recommendation,
    SourceReport,
)
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


@pytest.fixture
def demo(base):
    load_demo(TODAY)
    return export_portfolio()


def empty_the_register():
    """Leave the site as a new one is: no task force, no portfolio records and no accounts."""
    Decision.objects.update(superseded_by=None)
    for model in (AgendaItem, ActionItem, Decision, Meeting, Member):
        model.objects.all().delete()
    for model in (FundingPeriod, ProgrammeRecommendation, ProgrammeOrganisation):
        model.objects.all().delete()
    Programme.objects.update(predecessor=None)
    for model in (Programme, Recommendation, SourceReport, Organisation):
        model.objects.all().delete()
    get_user_model().objects.all().delete()


def history_rows():
    return sum(model.history.count() for model in (Organisation, Recommendation, Programme, FundingPeriod,
                                                     ProgrammeRecommendation, ProgrammeOrganisation))


def test_export_is_complete_and_canonical(demo):
    assert [p["code"] for p in demo["programmes"]] == sorted(p["code"] for p in demo["programmes"])
    assert len(demo["recommendations"]) == 25
    stop = next(p for p in demo["programmes"] if p["code"] == "STOP-IT-NOW")
    assert stop["owner"] == "a.jansen" and stop["lead_ministry"] == "VWS"
    assert {"recommendation": "PREV-3", "note": "Runs the helpline, also on digital channels."} in stop[
        "recommendations"]
    period = next(f for f in demo["funding_periods"] if f["code"] == "STOP-IT-NOW-2025")
    assert period["amount"] == "950000.00" and period["start"] == "2026-05-14"
    # The programmes' owners, and the task force's members and action owners.
    assert {p["username"] for p in demo["people"]} == {"a.jansen", "m.devries", "s.bakker", "p.visser",
                                                       "coordinator", "member"}


def test_round_trip_into_an_empty_site_is_identical(demo):
    empty_the_register()
    import_portfolio(copy.deepcopy(demo))
    assert export_portfolio() == demo


def test_reimport_changes_nothing(demo):
    before = history_rows()
    counts = import_portfolio(copy.deepcopy(demo))
    assert counts["programmes"] == {"created": 0, "updated": 0, "unchanged": 11}
    assert history_rows() == before


def test_update_by_code(demo):
    document = copy.deepcopy(demo)
    cosa = next(p for p in document["programmes"] if p["code"] == "COSA")
    cosa["name"] = "COSA nationwide"
    cosa["recommendations"] = [{"recommendation": "AFT-4", "note": "Expertise centre."}]
    counts = import_portfolio(document)
    assert counts["programmes"]["updated"] == 1
    programme = Programme.objects.get(code="COSA")
    assert programme.name == "COSA nationwide"
    assert list(programme.recommendations.values_list("code", flat=True)) == ["AFT-4"]


def test_a_bad_record_changes_nothing_and_is_named(demo):
    document = copy.deepcopy(demo)
    document["programmes"][0]["name"] = "Should not be saved"
    bad = next(f for f in document["funding_periods"] if f["code"] == "COSA-1")
    bad["end"] = "2001-01-01"
    bad["amount"] = "-3.00"
    next(p for p in document["programmes"] if p["code"] == "LOW-RISK")["lead_ministry"] = "NOPE"
    before = history_rows()
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(document)
    assert "funding_periods COSA-1: end: The end cannot be before the start." in caught.value.errors
    assert "funding_periods COSA-1: amount: Ensure this value is greater than or equal to 0." in caught.value.errors
    assert "programmes LOW-RISK: lead_ministry: unknown organisation 'NOPE'" in caught.value.errors
    assert export_portfolio() == demo
    assert history_rows() == before


@pytest.mark.parametrize(("change", "error"), [
    (lambda d: d.update(format="other"), "document: format must be"),
    (lambda d: d.update(extra=[]), "document: unknown section 'extra'"),
    (lambda d: d["programmes"][0].update(colour="red"), "programmes AWARENESS-2019: colour: unknown field"),
    (lambda d: d["programmes"][0].update(planned_start="31-12-2020"), "programmes AWARENESS-2019: planned_start:"),
    (lambda d: d["funding_periods"][0].update(amount=12.5), "amount: write the amount as text"),
    (lambda d: d["funding_periods"][0].update(amount="12.345"), "amount: Ensure that there are no more than"),
    (lambda d: d["funding_periods"][0].update(amount="lots"), "amount: “lots” value must be a decimal number."),
    (lambda d: d["programmes"][0].update(predecessor="AWARENESS-DIGITAL"), "the predecessors form a cycle"),
    (lambda d: d["programmes"].append(dict(d["programmes"][1])), "code: appears more than once"),
    (lambda d: d["programmes"][0].update(owner=["a.jansen"]), "owner: must be the text key of a user"),
])
def test_malformed_documents_are_refused_by_name(demo, change, error):
    document = copy.deepcopy(demo)
    change(document)
    with pytest.raises(PortfolioImportError) as caught:
        import_portfolio(document)
    assert any(error in message for message in caught.value.errors), caught.value.errors
    assert export_portfolio() == demo


def test_export_query_count_does_not_grow_with_the_portfolio(demo, django_assert_max_num_queries):
    # The portfolio's sections take 10 queries, the money's (finance/exchange.py) 8, the task force's
    # (taskforce/exchange) 25, whatever the number of records.
    with django_assert_max_num_queries(43):
        export_portfolio()


def test_the_publication_flags_travel_and_an_older_file_leaves_them(demo):
    Programme.objects.filter(code="STOP-IT-NOW").update(published=True, money_published=True)
    document = export_portfolio()
    programme = next(item for item in document["programmes"] if item["code"] == "STOP-IT-NOW")
    assert (programme["public"], programme["money_public"]) == (True, True)
    programme["money_public"] = False
    import_portfolio(copy.deepcopy(document))
    assert Programme.objects.filter(code="STOP-IT-NOW", published=True, money_published=False).exists()
    for item in document["programmes"]:
        del item["public"], item["money_public"]
    import_portfolio(document)  # a file from before the flags
    assert Programme.objects.filter(code="STOP-IT-NOW", published=True, money_published=False).exists()
    wrong = export_portfolio()
    wrong["programmes"][0]["public"] = "yes"
    with pytest.raises(PortfolioImportError, match="public"):
        import_portfolio(wrong)
