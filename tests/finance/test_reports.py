"""Budget against actual: totals exact to the cent, whatever the grouping, and equal to the records' sums."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from programme_tracker.accounts import roles
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue
from programme_tracker.finance.reports import MEASURES, budget_against_actual, by_year, spending_projection
from programme_tracker.finance.spreadsheet import safe_cell
from programme_tracker.portfolio.models import Organisation
from tests.builders import fund, make_programme


@pytest.fixture
def money(accounts, ministry):
    """Three programmes under two ministries and two areas, with amounts that do not round nicely."""
    vws = Organisation.objects.get(short_name="VWS")
    owner = accounts[roles.COORDINATOR]
    cents = iter(Decimal(n) / 100 for n in range(1, 10_000, 7))
    for code, lead, area in (("A", ministry, "prevention"), ("B", vws, "prevention"), ("C", vws, "aftercare")):
        programme = make_programme(owner, code=code, lead_ministry=lead, area=area)
        period = fund(programme, date(2025, 1, 1), date(2027, 12, 31))
        for year in (2025, 2026, 2027):
            BudgetLine.objects.create(programme=programme, fiscal_year=year, amount=Decimal("1000.01") + next(cents))
            Commitment.objects.create(funding_period=period, reference=f"{code}-{year}",
                                      decided_on=date(year, 2, 1), amount=Decimal("333.33") + next(cents))
            for month in (3, 9):
                Payment.objects.create(funding_period=period, paid_on=date(year, month, 5),
                                       reference=f"P-{year}-{month}", amount=Decimal("111.11") + next(cents))
                Expenditure.objects.create(funding_period=period, organisation=lead, period_start=date(year, month, 1),
                                           period_end=date(year, month, 28), category="personnel",
                                           amount=Decimal("99.99") + next(cents))
        BudgetLine.objects.create(programme=programme, fiscal_year=2026, kind="revised", revised_on=date(2026, 5, 1),
                                  amount=Decimal("1234.56"))


def record_totals():
    original_2026 = BudgetLine.objects.filter(fiscal_year=2026, kind="original")
    budget = sum(BudgetLine.objects.values_list("amount", flat=True)) - sum(original_2026.values_list("amount",
                                                                                                     flat=True))
    return {"budget": budget, "committed": sum(Commitment.objects.values_list("amount", flat=True)),
            "paid": sum(Payment.objects.values_list("amount", flat=True)),
            "spent": sum(Expenditure.objects.values_list("amount", flat=True))}


@pytest.mark.parametrize("group_by", ["programme", "ministry", "area"])
def test_totals_add_up_exactly(money, group_by):
    lines, total = budget_against_actual(group_by)
    for measure in MEASURES:
        assert sum(line.amounts[measure] for line in lines) == total.amounts[measure] == record_totals()[measure]
    assert all(isinstance(value, Decimal) for line in lines for value in line.amounts.values())


def test_groups_and_years(money):
    lines, _total = budget_against_actual("ministry", years=range(2026, 2027))
    assert [(line.group, line.year) for line in lines] == [("JenV", 2026), ("VWS", 2026)]
    vws = lines[1]
    assert vws.amounts["budget"] == Decimal("2469.12")  # the two revisions replace the originals
    lines, _total = budget_against_actual("programme")
    assert [(line.group, line.year) for line in lines][:3] == [("A", 2025), ("A", 2026), ("A", 2027)]


def test_unknown_grouping_is_refused(db):
    with pytest.raises(ValueError, match="group_by"):
        budget_against_actual("colour")


def test_report_page_and_csv(client, login, money):
    login(roles.MONITOR)  # monitors read the money
    assert "Budget against actual" in client.get("/desk/finance/budgetline/").content.decode()
    page = client.get("/desk/finance/budget-against-actual/?group_by=ministry").content.decode()
    assert "JenV" in page and "VWS" in page and "Burn rate" in page
    assert "Lead ministry" in page and "Budget (EUR)" in page  # the page's words, not the address's keys
    csv_text = client.get("/desk/finance/budget-against-actual/?group_by=area&format=csv").content.decode()
    rows = csv_text.strip().splitlines()
    assert rows[0] == "\ufeffarea,fiscal year,budget,committed,paid,spent" and rows[-1].startswith("total,")
    xlsx = client.get("/desk/finance/budget-against-actual/?group_by=programme&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("programme", "fiscal year", "budget", "committed", "paid", "spent")
    assert sheet["C2"].number_format == "#,##0.00"  # amounts are numbers, shown grouped
    assert cells[-1][0] == "total"
    expected = budget_against_actual("programme")[1].amounts
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in cells[-1][2:]] == [expected[m] for m in MEASURES]
    for table, first_header in (("multi-year", "programme"), ("projection", "funding period")):
        for file_format in ("xlsx", "csv"):
            response = client.get(f"/desk/finance/budget-against-actual/?table={table}&format={file_format}")
            assert response.status_code == 200 and response["Content-Disposition"].endswith(f'.{file_format}"')
        assert load_workbook(io.BytesIO(response_xlsx(client, table))).active["A1"].value == first_header
    years, _rows, totals = by_year(budget_against_actual("programme")[0], "paid")
    sheet = load_workbook(io.BytesIO(response_xlsx(client, "multi-year", "&measure=paid"))).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[0] == "total" and Decimal(str(last[-1])).quantize(Decimal("0.01")) == totals[-1]
    # In Dutch, the headers are Dutch.
    client.post("/i18n/setlang/", {"language": "nl", "next": "/desk/"})
    dutch = load_workbook(io.BytesIO(client.get("/desk/finance/budget-against-actual/?format=xlsx").content)).active
    assert [cell.value for cell in dutch[1]] == ["programma", "begrotingsjaar", "begroting", "juridisch verplicht",
                                                 "betaald", "besteed"]


def response_xlsx(client, table, extra=""):
    return client.get(f"/desk/finance/budget-against-actual/?table={table}&format=xlsx{extra}").content


def test_report_needs_permission_to_read_money(client, db):
    client.force_login(get_user_model().objects.create_user("norole", password="x-long-pass", is_staff=True))
    assert client.get("/desk/finance/budget-against-actual/").status_code == 403


def test_csv_cells_are_never_formulas():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("@SUM") == "'@SUM"
    assert safe_cell("-12.50") == "-12.50" and safe_cell("PREV-3") == "PREV-3"


def test_spending_projection_carries_the_burn_rate_to_the_end(accounts, ministry):
    period = fund(make_programme(accounts[roles.COORDINATOR], code="P"), date(2026, 1, 1), date(2026, 12, 31),
                  amount=Decimal("3650.00"))
    silent = fund(make_programme(accounts[roles.COORDINATOR], code="Q"), date(2026, 1, 1), date(2026, 12, 31))
    Expenditure.objects.create(funding_period=period, organisation=ministry, period_start=date(2026, 1, 1),
                               period_end=date(2026, 3, 31), category="personnel", amount=Decimal("450.00"))
    Expenditure.objects.create(funding_period=period, organisation=ministry, period_start=date(2026, 4, 1),
                               period_end=date(2026, 6, 30), category="personnel", amount=Decimal("455.00"))
    projections = {p.code: p for p in spending_projection(date(2026, 7, 15))}
    p = projections[period.code]
    assert (p.spent, p.reported_until, p.committed) == (Decimal("905.00"), date(2026, 6, 30), Decimal("3650.00"))
    assert p.per_month == Decimal("150.00")  # 905 over 181 days = 5 a day
    assert p.projected == Decimal("1825.00") and p.projected_share == 50  # 905 + 184 days × 5
    q = projections[silent.code]
    assert (q.spent, q.reported_until, q.projected) == (Decimal("0.00"), None, Decimal("0.00"))


def test_funding_period_page_offers_only_its_own_reports_and_tranches(client, login, accounts, ministry):
    one = fund(make_programme(accounts[roles.COORDINATOR], code="ONE"), date(2026, 1, 1), date(2026, 12, 31))
    other = fund(make_programme(accounts[roles.COORDINATOR], code="TWO"), date(2026, 1, 1), date(2026, 12, 31))
    ReportDue.objects.create(funding_period=one, kind="progress", title="Own report", due_on=date(2026, 6, 1))
    ReportDue.objects.create(funding_period=other, kind="progress", title="Someone else's report",
                             due_on=date(2026, 6, 1))
    login(roles.FINANCE_OFFICER)
    page = client.get(f"/desk/portfolio/fundingperiod/{one.pk}/change/").content.decode()
    assert "Own report" in page and "Someone else" not in page


@pytest.mark.parametrize("measure", MEASURES)
def test_multi_year_view_adds_up_both_ways(money, measure):
    lines, total = budget_against_actual("area")
    years, rows, totals = by_year(lines, measure)
    assert years == [2025, 2026, 2027] and [row[0] for row in rows] == ["aftercare", "prevention"]
    assert all(sum(amounts) == row_total for _group, amounts, row_total in rows)
    assert totals[-1] == sum(row[2] for row in rows) == sum(totals[:-1]) == total.amounts[measure]


def test_multi_year_page(client, login, money):
    login(roles.COORDINATOR)
    page = client.get("/desk/finance/budget-against-actual/?group_by=area&measure=spent").content.decode()
    assert 'id="multi-year"' in page and "2027" in page and "all years" in page



def test_the_page_formats_amounts_and_translates_its_heads(client, login, money):
    import re

    login(roles.FINANCE_OFFICER)
    client.cookies["django_language"] = "nl"
    page = client.get("/desk/finance/budget-against-actual/?group_by=ministry").content.decode()
    assert "Verantwoordelijk ministerie" in page and "Begroting (EUR)" in page
    assert not re.search(r">\d{5,}\.\d{2}<", page)  # no amount without its thousands grouped
    assert re.search(r">\d{1,3}(\.\d{3})+,\d{2}<", page)  # 1.250.000,00
