"""Rules on save: each refused with an error on the field, through the model and through the desk."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme, Recommendation
from tests.builders import form_errors, funding_form, management_form, programme_form, programme_form_for

pytestmark = pytest.mark.django_db


def refused(field, make):
    """Assert that make() raises a ValidationError on `field`."""
    with pytest.raises(ValidationError) as caught:
        make()
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value.message_dict[field]


# -- through the model ---------------------------------------------------------------------------------------


def test_funding_end_before_start_is_refused(programme, ministry):
    before = FundingPeriod.objects.count()
    refused("end", lambda: FundingPeriod.objects.create(
        programme=programme, funder=ministry, instrument="subsidy", amount=Decimal("1"), status="committed",
        start=date(2026, 5, 2), end=date(2026, 5, 1)))
    assert FundingPeriod.objects.count() == before


def test_funding_may_start_and_end_on_the_same_day(programme, ministry):
    period = FundingPeriod.objects.create(programme=programme, funder=ministry, instrument="subsidy",
                                          amount=Decimal("0"), start=date(2026, 5, 1), end=date(2026, 5, 1))
    assert period.code == "HELPLINE-2026"


def test_negative_amount_is_refused(programme, ministry):
    refused("amount", lambda: FundingPeriod.objects.create(
        programme=programme, funder=ministry, instrument="subsidy", amount=Decimal("-0.01"),
        start=date(2026, 1, 1), end=date(2026, 12, 31)))


def test_funding_codes_are_generated_and_unique(programme, ministry):
    make = lambda: FundingPeriod.objects.create(  # noqa: E731
        programme=programme, funder=ministry, instrument="subsidy", amount=Decimal("5"),
        start=date(2027, 1, 1), end=date(2027, 6, 30))
    assert [make().code, make().code] == ["HELPLINE-2027", "HELPLINE-2027-2"]
    refused("code", lambda: FundingPeriod.objects.create(
        code="HELPLINE-2027", programme=programme, funder=ministry, instrument="subsidy", amount=Decimal("5"),
        start=date(2027, 1, 1), end=date(2027, 6, 30)))


def test_programme_codes_are_unique(programme):
    refused("code", lambda: Programme.objects.create(code="HELPLINE", name="Again", area="prevention"))


def test_recommendation_and_organisation_keys_are_unique(base):
    report = Recommendation.objects.get(code="PREV-1").source_report
    refused("code", lambda: Recommendation.objects.create(code="PREV-1", source_report=report, area="policy",
                                                          number=9, text="x"))
    refused("short_name", lambda: Organisation.objects.create(short_name="VWS", name="Other", kind="ngo"))


def test_active_programme_needs_owner_and_lead_ministry(base):
    errors = refused("owner", lambda: Programme.objects.create(code="P1", name="P", area="prevention",
                                                               status="active"))
    assert "An active programme must have an owner." in errors
    refused("lead_ministry", lambda: Programme.objects.create(code="P1", name="P", area="prevention",
                                                              status="active"))
    assert not Programme.objects.filter(code="P1").exists()


def test_planned_programme_may_lack_an_owner(base):
    assert Programme.objects.create(code="P1", name="P", area="prevention", status="planned").pk


def test_lead_ministry_must_be_a_ministry(base, accounts):
    ngo = Organisation.objects.create(short_name="NGO1", name="An NGO", kind="ngo")
    refused("lead_ministry", lambda: Programme.objects.create(code="P1", name="P", area="prevention",
                                                              lead_ministry=ngo))


def test_planned_end_before_planned_start_is_refused(base):
    refused("planned_end", lambda: Programme.objects.create(
        code="P1", name="P", area="prevention", planned_start=date(2026, 2, 1), planned_end=date(2026, 1, 31)))


def test_programme_cannot_be_its_own_successor(programme):
    programme.predecessor = programme
    refused("predecessor", programme.save)


def test_successor_cycle_is_refused(base):
    a = Programme.objects.create(code="A", name="A", area="prevention")
    b = Programme.objects.create(code="B", name="B", area="prevention", predecessor=a)
    c = Programme.objects.create(code="C", name="C", area="prevention", predecessor=b)
    a.predecessor = c
    assert "This predecessor would make a cycle of successors." in refused("predecessor", a.save)
    a.refresh_from_db()
    assert a.predecessor_id is None


# -- through the desk ----------------------------------------------------------------------------------------


def test_desk_refuses_an_active_programme_without_owner(client, login, ministry):
    login(roles.COORDINATOR)
    data = programme_form(code="NEW", name="New", status="active", lead_ministry=ministry.pk)
    response = client.post("/desk/portfolio/programme/add/", data)
    assert response.status_code == 200
    assert "An active programme must have an owner." in form_errors(response)
    assert not Programme.objects.filter(code="NEW").exists()


def test_desk_refuses_a_successor_cycle(client, login, programme):
    login(roles.COORDINATOR)
    successor = Programme.objects.create(code="NEXT", name="Next", area="prevention", predecessor=programme)
    response = client.post(f"/desk/portfolio/programme/{programme.pk}/change/",
                           programme_form_for(programme, predecessor=successor.pk))
    assert response.status_code == 200
    assert "cycle of successors" in form_errors(response)
    programme.refresh_from_db()
    assert programme.predecessor_id is None


def test_desk_refuses_a_funding_row_ending_before_it_starts(client, login, programme):
    """An invalid inline row blocks the whole save: the programme's own change is not kept either."""
    login(roles.ADMINISTRATOR)
    period = programme.funding_periods.get()
    data = programme_form_for(programme, name="Renamed", **{"funding_periods-0-end": "2024-01-01"})
    response = client.post(f"/desk/portfolio/programme/{programme.pk}/change/", data)
    assert response.status_code == 200
    assert "The end cannot be before the start." in form_errors(response)
    programme.refresh_from_db()
    period.refresh_from_db()
    assert (programme.name, period.end) == ("Helpline", date(2026, 12, 31))


def test_desk_refuses_a_negative_amount(client, login, programme, ministry):
    login(roles.FINANCE_OFFICER)
    data = funding_form(programme=programme.pk, funder=ministry.pk, amount="-10.00")
    response = client.post("/desk/portfolio/fundingperiod/add/", data)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in form_errors(response)
    assert programme.funding_periods.count() == 1


def test_desk_saves_a_valid_funding_period(client, login, programme, ministry):
    login(roles.FINANCE_OFFICER)
    data = funding_form(programme=programme.pk, funder=ministry.pk, amount="2500.50", start="2027-01-01",
                        end="2027-12-31")
    response = client.post("/desk/portfolio/fundingperiod/add/", data)
    assert response.status_code == 302, form_errors(response)
    assert programme.funding_periods.get(code="HELPLINE-2027").amount == Decimal("2500.50")


def test_desk_saves_two_new_funding_rows_without_codes(client, login, ministry, accounts):
    """Codes left empty are generated; two empty codes in one save are not 'duplicates'."""
    login(roles.COORDINATOR)
    data = programme_form(code="TWO", name="Two grants", status="active", lead_ministry=ministry.pk,
                          owner=accounts[roles.COORDINATOR].pk)
    data.update(management_form("funding_periods", total=2))
    for i, (start, end) in enumerate([("2026-01-01", "2026-12-31"), ("2026-07-01", "2027-06-30")]):
        data.update({f"funding_periods-{i}-{key}": value for key, value in {
            "code": "", "funder": ministry.pk, "instrument": "subsidy", "amount": "1000.00", "status": "committed",
            "start": start, "end": end, "renewal_decision": "pending", "version": "0"}.items()})
    response = client.post("/desk/portfolio/programme/add/", data)
    assert response.status_code == 302, form_errors(response)
    codes = list(FundingPeriod.objects.filter(programme__code="TWO").order_by("start").values_list("code", flat=True))
    assert codes == ["TWO-2026", "TWO-2026-2"]


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(3000, 1, 1), date(1899, 12, 31), date(1, 1, 1)])
def test_a_date_outside_1900_to_2999_is_refused_naming_the_field(programme, ministry, day):
    period = programme.funding_periods.get()
    period.end = day
    assert "Give a date from 1900 to 2999." in refused("end", period.save)
    programme.refresh_from_db()
    programme.planned_end = day
    assert "Give a date from 1900 to 2999." in refused("planned_end", programme.save)


def test_a_funding_period_ending_in_9999_is_refused_in_the_desk(client, login, programme):
    login(roles.COORDINATOR)
    period = programme.funding_periods.get()
    response = client.post(f"/desk/portfolio/fundingperiod/{period.pk}/change/",
                           funding_form(period, end="9999-12-31"))
    assert response.status_code == 200 and "Give a date from 1900 to 2999." in form_errors(response)


def test_pages_still_show_a_period_stored_to_the_end_of_the_calendar(client, login, programme, ministry):
    """Stored before the check (or by hand): the day arithmetic must not overflow."""
    FundingPeriod.objects.create(programme=programme, funder=ministry, instrument="subsidy", amount=Decimal("1"),
                                 status="committed", start=date(2027, 1, 1), end=date(2027, 12, 31))
    FundingPeriod.objects.filter(code="HELPLINE-2025").update(end=date.max)
    login(roles.COORDINATOR)
    for url in ("/desk/timeline/", f"/desk/programmes/{programme.pk}/"):
        assert client.get(url).status_code == 200, url
