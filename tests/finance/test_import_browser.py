"""The import page in a real browser (Debian's Chromium driven by Playwright): a finance officer imports 50,000
rows and watches the progress bar move (with PT_SCREENSHOTS set, `make screenshots`, a screenshot of it for the
README), corrects a bad row, and reads a workbook whose data is on its second sheet.

The jobs run as on the embedded default: no Redis, so on a thread of the web process (here the live server's).
"""

import time

import pytest

from programme_tracker.accounts import roles
from programme_tracker.finance.models import BudgetLine, SpreadsheetImport
from programme_tracker.finance.progress import Progress
from tests.builders import budget_csv, many_programmes
from tests.desk.conftest import log_in, save_screenshot

# Enough rows for the bar (read every second) to be seen moving twice, also now that the import is fast.
ROWS = 10_000


@pytest.fixture
def rows_at_a_readable_pace(monkeypatch):
    """Half a millisecond more for each row checked, so that the bar, which the page reads once a second, is seen at
    several places however fast the machine checks rows (how fast it is, is for benchmarks/finance.py)."""
    checking = Progress.checking

    def slower(self, rows_checked, total):
        time.sleep(0.0005)
        checking(self, rows_checked, total)

    monkeypatch.setattr(Progress, "checking", slower)


@pytest.fixture
def jobs_in_the_web_process(live_server, settings):
    """The jobs run without Redis, on a thread of the live server's process. The pages read while the job writes:
    the test database is a file in write-ahead-log mode, as a site's is (tests/conftest.py)."""
    settings.REDIS_URL = ""


def watch_the_bar(page, until: str, screenshot: str = "") -> list[tuple[int, str]]:
    """Read the progress bar (percent, rows checked) every 50 ms until the selector `until` shows the result; with
    `screenshot`, save one of the page (for the README) once the bar is under way."""
    seen = []
    deadline = time.monotonic() + 300
    while page.locator(until).count() == 0:
        assert time.monotonic() < deadline, "the import did not end in 5 minutes"
        bar = page.locator("#import-progress-bar")
        try:
            value = bar.get_attribute("value", timeout=200) if bar.count() else None
            checked = page.locator("#import-rows-checked").inner_text(timeout=200) if bar.count() else ""
        except Exception:  # swapped by htmx, or the page went on to the report, between the two calls
            continue
        if value is not None and (not seen or seen[-1] != (int(value), checked)):
            seen.append((int(value), checked))
            if screenshot and 20 <= int(value) < 80:
                save_screenshot(page, screenshot)
                screenshot = ""
        time.sleep(0.05)
    return seen


@pytest.mark.usefixtures("rows_at_a_readable_pace")
def test_a_finance_officer_imports_10000_rows_and_watches_the_bar_move(live_server, page, accounts,
                                                                       jobs_in_the_web_process):
    data = budget_csv(ROWS, many_programmes(ROWS // 200))
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    page.goto(f"{live_server.url}/desk/finance/import/")
    page.select_option("#id_kind", "budget-lines")
    page.set_input_files("#id_file", files=[{"name": "begroting.csv", "mimeType": "text/csv", "buffer": data}])
    page.click("#import-preview")
    page.wait_for_url("**/desk/finance/import/*-*-*-*-*/")
    address = page.url
    seen = watch_the_bar(page, "#import-summary", screenshot="import-progress")
    moving = [percent for percent, _checked in seen if 0 < percent < 100]
    assert len(set(moving)) >= 2 and moving == sorted(moving), seen  # it moved, forwards
    assert any(checked.endswith(f" of {ROWS:,}") for _percent, checked in seen), seen
    assert page.url == address  # htmx brought the browser back to the import's page, now with the report
    assert f"Dry run of {ROWS} rows: {ROWS} to create" in page.locator("#import-summary").inner_text()
    assert not BudgetLine.objects.exists()

    page.click("#import-commit")
    seen = watch_the_bar(page, "#import-records")
    assert len({percent for percent, _checked in seen if 0 < percent < 100}) >= 2, seen
    summary = page.locator("#import-summary").inner_text()
    assert f"Imported {ROWS} rows: {ROWS} created, 0 updated, 0 unchanged." in summary
    assert BudgetLine.objects.count() == ROWS
    assert SpreadsheetImport.objects.get().state == "imported"
    page.click("#import-records")
    page.wait_for_url("**/desk/finance/budgetline/")


def test_finance_officer_imports_a_spreadsheet_fixes_a_bad_row_and_reads_budget_against_actual(
        live_server, page, accounts, programme, tmp_path, jobs_in_the_web_process):
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    page.goto(f"{live_server.url}/desk/finance/budgetline/")
    page.click("#import-link")
    bad = tmp_path / "begroting.csv"
    bad.write_bytes("\ufeffProgramme;Fiscal year;Kind;Amount\nHELPLINE;2026;original;1.250.000,00\n"
                    "HELPLINE;2027;original;1.300.000,5O\n".encode())
    page.select_option("#id_kind", "budget-lines")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-preview")
    errors = page.locator("#import-errors").inner_text()
    assert "3\tamount\t'1.300.000,5O' is not an amount" in errors  # row 3, the letter O for a zero
    assert page.locator("#import-commit").count() == 0

    fixed = tmp_path / "begroting-2.csv"
    fixed.write_bytes(bad.read_bytes().replace(b"5O", b"50"))
    page.select_option("#id_kind", "budget-lines")
    page.set_input_files("#id_file", str(fixed))
    page.click("#import-preview")
    assert "2 to create, 0 to change, 0 unchanged" in page.locator("#import-summary").inner_text()
    page.click("#import-commit")
    page.wait_for_selector("#import-records")
    assert "2 created, 0 updated, 0 unchanged" in page.locator("#import-summary").inner_text()

    page.goto(f"{live_server.url}/desk/finance/budget-against-actual/?group_by=programme")
    table = page.locator("#budget-against-actual").inner_text()
    assert "HELPLINE\t2026\t1,250,000.00" in table and "HELPLINE\t2027\t1,300,000.50" in table
    page.goto(f"{live_server.url}/desk/finance/budget-against-actual/?group_by=ministry")
    assert "2,550,000.50" in page.locator("#budget-against-actual tfoot").inner_text()


def test_an_xlsx_whose_data_is_on_its_second_sheet_is_read_through_the_page(live_server, page, accounts, programme,
                                                                             tmp_path, jobs_in_the_web_process):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Toelichting"
    sheet = workbook.create_sheet("Begroting")
    sheet.append(["Programme", "Fiscal year", "Kind", "Amount"])
    sheet.append(["HELPLINE", 2026, "original", 1250000])
    path = tmp_path / "begroting.xlsx"
    workbook.save(path)
    log_in(page, live_server, accounts[roles.FINANCE_OFFICER])
    page.goto(f"{live_server.url}/desk/finance/import/")
    page.select_option("#id_kind", "budget-lines")

    page.set_input_files("#id_file", str(path))

    assert page.input_value("#id_sheet") == ""  # choosing the file leaves the sheet to be read alone
    page.click("#import-preview")
    assert "Read the sheet “Begroting”" in page.locator("#import-reading").inner_text()
    assert "1 to create" in page.locator("#import-summary").inner_text()
