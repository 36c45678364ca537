"""The IATI export: the programmes marked public as activities, valid against the official 2.03 schema, with codes
from its codelists, and money only where the money is marked public."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from programme_tracker.accounts import roles
from programme_tracker.api import iati
from programme_tracker.finance.models import Commitment, Payment
from programme_tracker.portfolio.models import Organisation, Programme, ProgrammeOrganisation, ProgrammeRecommendation
from programme_tracker.portfolio.models.recommendations import Recommendation
from tests.api.iati_standard import codelist, schema
from tests.builders import fund, make_programme


@pytest.fixture
def published(accounts):
    """Two public programmes, one with public money, and one that is not public at all."""
    owner = accounts[roles.COORDINATOR]
    open_book = make_programme(owner, code="OPEN-BOOK", name="Helpline & aftercare <pilot>", published=True,
                               money_published=True, planned_start=date(2025, 1, 1), planned_end=date(2027, 12, 31),
                               actual_start=date(2025, 2, 1), description="Anonymous help for people at risk.")
    period = fund(open_book, date(2025, 1, 1), date(2026, 12, 31), amount=Decimal("950000.00"))
    fund(open_book, date(2027, 1, 1), date(2027, 12, 31), status="indicative", amount=Decimal("400000.00"))
    Commitment.objects.create(funding_period=period, reference="BESLUIT-1", decided_on=date(2024, 11, 1),
                              amount=Decimal("950000.00"))
    Payment.objects.create(funding_period=period, paid_on=date(2025, 3, 1), amount=Decimal("475000.00"),
                           reference="BETALING-1")
    ProgrammeOrganisation.objects.create(programme=open_book, organisation=Organisation.objects.create(
        name="Stichting Voorbeeld", short_name="VOORBEELD", kind="ngo"))
    ProgrammeRecommendation.objects.create(programme=open_book, recommendation=Recommendation.objects.get(
        code="PREV-3"))
    closed_book = make_programme(owner, code="CLOSED-BOOK", published=True, status="suspended")
    fund(closed_book, date(2025, 1, 1), date(2026, 12, 31), amount=Decimal("123456.78"))
    hidden = make_programme(owner, code="HIDDEN", status="planned")
    fund(hidden, date(2025, 1, 1), date(2026, 12, 31), amount=Decimal("555555.55"))
    return open_book


def parsed(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema().assertValid(root)  # the official XSD: raises with the line and reason when the file is not valid
    return root


def test_the_file_is_valid_iati_2_03_with_codes_from_its_codelists(published):
    root = parsed(iati.activities())
    assert root.get("version") == "2.03"
    activities = {a.findtext("iati-identifier"): a for a in root.iter("iati-activity")}
    assert set(activities) == {"XM-DAC-7-CLOSED-BOOK", "XM-DAC-7-OPEN-BOOK"}
    for activity in activities.values():
        assert activity.find("activity-status").get("code") in codelist("ActivityStatus")
        for org in activity.iter("participating-org"):
            assert org.get("role") in codelist("OrganisationRole")
            assert org.get("type") in codelist("OrganisationType")
        assert activity.find("reporting-org").get("type") in codelist("OrganisationType")
        assert {d.get("type") for d in activity.iter("activity-date")} <= codelist("ActivityDateType")
        assert activity.find("recipient-country").get("code") in codelist("Country")
        assert activity.find("sector").get("vocabulary") in codelist("SectorVocabulary")
        for tag in activity.iter("tag"):
            assert tag.get("vocabulary") in codelist("TagVocabulary")
        for transaction in activity.iter("transaction"):
            assert transaction.find("transaction-type").get("code") in codelist("TransactionType")
        for budget in activity.iter("budget"):
            assert budget.get("type") in codelist("BudgetType") and budget.get("status") in codelist("BudgetStatus")
        for value in activity.iter("value"):
            assert value.get("currency") in codelist("Currency")
        assert activity.get("{http://www.w3.org/XML/1998/namespace}lang") in codelist("Language")


def test_money_only_where_it_is_marked_public(published):
    root = parsed(iati.activities())
    open_book = next(a for a in root.iter("iati-activity") if a.findtext("iati-identifier").endswith("OPEN-BOOK"))
    closed_book = next(a for a in root.iter("iati-activity") if a.findtext("iati-identifier").endswith("CLOSED-BOOK"))
    budgets = [(b.get("status"), b.findtext("value"), b.find("period-start").get("iso-date"))
               for b in open_book.iter("budget")]
    assert budgets == [("2", "950000.00", "2025-01-01"), ("1", "400000.00", "2027-01-01")]
    transactions = [(t.find("transaction-type").get("code"), t.findtext("value"))
                    for t in open_book.iter("transaction")]
    assert transactions == [("2", "950000.00"), ("3", "475000.00")]
    assert not list(closed_book.iter("budget")) and not list(closed_book.iter("transaction"))
    text = etree.tostring(root, encoding="unicode")
    assert "123456" not in text and "555555" not in text and "HIDDEN" not in text
    assert Programme.objects.get(code="CLOSED-BOOK").owner.username not in text  # no people


def test_the_programme_reads_as_it_is_registered(published):
    root = parsed(iati.activities())
    activity = next(a for a in root.iter("iati-activity") if a.findtext("iati-identifier").endswith("OPEN-BOOK"))
    assert activity.findtext("title/narrative") == "Helpline & aftercare <pilot>"  # escaped, not broken
    roles_ = {(o.get("role"), o.findtext("narrative")) for o in activity.iter("participating-org")}
    assert ("4", "Stichting Voorbeeld") in roles_ and ("2", published.lead_ministry.name) in roles_
    assert [t.get("code") for t in activity.iter("tag")] == ["PREV-3"]
    assert activity.find("sector").get("code") == "prevention"
    dates = {d.get("type"): d.get("iso-date") for d in activity.iter("activity-date")}
    assert dates == {"1": "2025-01-01", "2": "2025-02-01", "3": "2027-12-31"}


def test_without_public_programmes_there_is_nothing_to_publish(client, accounts, settings):
    make_programme(accounts[roles.COORDINATOR])  # not marked public
    with pytest.raises(CommandError, match="No programme is marked for the public view"):
        call_command("export_iati")
    settings.PUBLIC_VIEW = True
    assert client.get(reverse("public-iati")).status_code == 404


def test_served_with_the_public_view_only(client, published, settings):
    settings.PUBLIC_VIEW = False
    assert client.get(reverse("public-iati")).status_code == 404
    settings.PUBLIC_VIEW = True
    assert reverse("public-iati") in client.get(reverse("public-index")).content.decode()  # linked
    answer = client.get(reverse("public-iati"))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/xml")
    parsed(answer.content)


def test_the_command_writes_the_file(published, tmp_path):
    target = tmp_path / "iati.xml"
    call_command("export_iati", output=str(target))
    assert len(list(parsed(target.read_bytes()).iter("iati-activity"))) == 2


def test_a_bare_public_programme_is_still_a_valid_activity(accounts):
    """Registered in a hurry: no lead ministry, no funding, no partners, no dates, no description."""
    Programme.objects.create(code="BARE", name="Bare", area="policy", status="planned", published=True,
                             money_published=True)
    activity = parsed(iati.activities()).find("iati-activity")
    assert activity.find("participating-org").get("role") == "2"
    assert activity.find("activity-date").get("type") == "1"
    assert activity.findtext("description/narrative") == "Policy"
