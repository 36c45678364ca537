"""The import page of the desk: upload, dry run and commit (background jobs, here run at once), errors,
permissions; the exports open safely in Excel."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from programme_tracker.accounts import roles
from programme_tracker.finance.models import BudgetLine, Payment, SpreadsheetImport, SpreadsheetPart

GOOD = b"programme;fiscal year;amount\nHELPLINE;2026;1.000,00\nHELPLINE;2027;2.000,00\n"
URL = "/desk/finance/import/"

pytestmark = pytest.mark.usefixtures("jobs_at_once")


def upload(client, data, kind="budget-lines", name="budget.csv", **fields):
    """Upload a file; returns the page the browser ends on (the import's own page, or the form with its errors)."""
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, data), **fields}, follow=True)


def status_url(page) -> str:
    return f"/desk/finance/import/{page.context['spreadsheet'].public_id}/"


def test_finance_officer_previews_then_commits(client, login, programme):
    login(roles.FINANCE_OFFICER)
    page = upload(client, GOOD)
    assert page.redirect_chain[0][0].startswith(URL) and page.redirect_chain[0][1] == 302
    text = page.content.decode()
    assert "2 to create, 0 to change, 0 unchanged" in text and "Import these rows" in text
    assert not BudgetLine.objects.exists()
    assert SpreadsheetPart.objects.exists()  # kept for the commit
    done = client.post(status_url(page) + "commit/", follow=True)
    assert done.redirect_chain == [(status_url(page), 302)]
    assert sorted(BudgetLine.objects.values_list("fiscal_year", "amount")) == [(2026, Decimal("1000.00")),
                                                                                (2027, Decimal("2000.00"))]
    text = done.content.decode()
    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged." in text
    assert 'href="/desk/finance/budgetline/"' in text and "Import these rows" not in text
    assert not SpreadsheetPart.objects.exists()  # the file is gone once imported
    again = client.post(status_url(page) + "commit/", follow=True)  # a file is imported once
    assert "not waiting to be imported" in again.content.decode()
    assert BudgetLine.objects.count() == 2


def test_errors_are_listed_by_row_and_column_and_nothing_can_be_committed(client, login, programme):
    login(roles.FINANCE_OFFICER)
    page = upload(client, GOOD + b"NOPE;2026;5\n")
    text = page.content.decode()
    assert "1 problem: nothing was imported" in text
    assert "unknown programme code &#x27;NOPE&#x27;" in text and "<td>4</td><td>programme</td>" in text
    assert "Import these rows" not in text and 'id="import-form"' in text  # upload the corrected file
    assert not SpreadsheetPart.objects.exists()
    client.post(status_url(page) + "commit/")
    assert not BudgetLine.objects.exists()


def test_an_unknown_or_malformed_import_address_is_not_found(client, login, programme):
    login(roles.FINANCE_OFFICER)
    upload(client, GOOD)
    for address in ("00000000-0000-0000-0000-000000000000/", "00000000-0000-0000-0000-000000000000/commit/",
                    "../../etc/passwd/", "1/"):
        response = client.post(URL + address) if address.endswith("commit/") else client.get(URL + address)
        assert response.status_code == 404, address
    assert not BudgetLine.objects.exists()


def test_coordinators_and_monitors_cannot_import(client, login, programme, accounts):
    login(roles.FINANCE_OFFICER)
    page = upload(client, GOOD)
    for role in (roles.COORDINATOR, roles.MONITOR):
        login(role)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"kind": "budget-lines", "file": SimpleUploadedFile("b.csv", GOOD)}).status_code \
            == 403
        for path in ("", "progress/"):
            assert client.get(status_url(page) + path).status_code == 403
        assert client.post(status_url(page) + "commit/").status_code == 403
        assert client.get("/desk/finance/export/budget-lines/").status_code == 200  # they read the money
    assert not BudgetLine.objects.exists()
    assert SpreadsheetImport.objects.count() == 1


def test_export_can_be_imported_again_unchanged_and_is_formula_safe(client, login, programme):
    login(roles.FINANCE_OFFICER)
    BudgetLine.objects.create(programme=programme, fiscal_year=2026, amount=Decimal("1234.56"),
                              note="=HYPERLINK(\"http://evil\")")
    xlsx = client.get("/desk/finance/export/budget-lines/").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    note = sheet["H2"]
    assert note.value == '=HYPERLINK("http://evil")' and note.data_type == "s"  # text, not a formula
    csv_text = client.get("/desk/finance/export/budget-lines/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    page = upload(client, xlsx, name="budget-lines.xlsx")
    assert "0 to create, 0 to change, 1 unchanged" in page.content.decode()


def test_programme_page_shows_committed_paid_and_spent_per_funding_period(client, login, programme):
    login(roles.COORDINATOR)  # coordinators read the money
    period = programme.funding_periods.get()
    Payment.objects.create(funding_period=period, paid_on=period.start, amount=Decimal("2500.25"), reference="B-1")
    page = client.get(f"/desk/portfolio/programme/{programme.pk}/change/").content.decode()
    money = page[page.index('id="programme-money"'):]
    assert "HELPLINE-2025" in money and "100,000.00" in money and "2,500.25" in money


def workbook(sheets: dict[str, list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_page_reads_the_chosen_sheet_and_decimal_separator_through_the_commit(client, login, programme):
    login(roles.FINANCE_OFFICER)
    data = workbook({"Toelichting": [["Begroting 2026"]],
                     "Begroting": [["programme", "fiscal year", "amount"], ["HELPLINE", 2026, "12.345"]]})
    refused = upload(client, data, name="begroting.xlsx").content.decode()
    assert "Several sheets have data (&#x27;Toelichting&#x27;, &#x27;Begroting&#x27;)" in refused
    assert 'name="sheet"' in refused and 'name="decimal_mark"' in refused
    page = upload(client, data, name="begroting.xlsx", sheet="Begroting", decimal_mark=",")
    text = page.content.decode()
    assert "Read the sheet “Begroting”." in text and "Amounts read with a decimal comma" in text
    assert "1 to create" in text
    assert client.post(status_url(page) + "commit/").status_code == 302
    assert BudgetLine.objects.get().amount == Decimal("12345")


def test_the_page_names_the_row_that_settled_the_decimal_separator(client, login, programme):
    login(roles.FINANCE_OFFICER)
    text = upload(client, b"programme;fiscal year;amount\nHELPLINE;2026;320.000\nHELPLINE;2027;1.234,56\n") \
        .content.decode()
    assert "Amounts read with a decimal comma" in text and "as row 3 shows: 1.234,56" in text
    assert "2 to create" in text


@pytest.mark.parametrize(("data", "name", "fields", "problem"), [
    (b"programme;fiscal year;amount\nHELPLINE;2026;12,345\n", "budget.csv", {}, "could be 12345"),
    (b"programme;fiscal year;amount\n", "budget.csv", {}, "no rows to import"),
    (b"PK\x03\x04broken", "budget.xlsx", {}, "not an XLSX file"),
    (b'programme;fiscal year;amount\n"' + b"x" * 200_000 + b'";2026;1\n', "budget.csv", {}, "cannot be read"),
    (workbook({"Begroting": [["programme"]]}), "budget.xlsx", {"sheet": "Blad9"}, "no sheet &#x27;Blad9&#x27;"),
    (GOOD, "budget.csv", {"decimal_mark": "x"}, "Select a valid choice"),
    (GOOD, "budget.csv", {"kind": "grants"}, "Select a valid choice"),
])
def test_no_file_or_choice_gives_a_server_error_or_saves_anything(client, login, programme, data, name, fields,
                                                                  problem):
    login(roles.FINANCE_OFFICER)
    page = client.post(URL, {"kind": "budget-lines", "file": SimpleUploadedFile(name, data), **fields}, follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and problem in text and "Import these rows" not in text
    assert not BudgetLine.objects.exists() and not SpreadsheetPart.objects.exists()


def test_a_file_larger_than_the_site_reads_is_refused_before_it_is_kept(client, login, programme, settings):
    settings.IMPORT_MAX_MEGABYTES = 1
    login(roles.FINANCE_OFFICER)
    page = upload(client, GOOD + b"HELPLINE;2028;1,00\n" * 60_000)
    text = page.content.decode()
    assert page.status_code == 200 and "larger than the 1 MB an import reads" in text and not page.redirect_chain
    assert not SpreadsheetImport.objects.exists()
