"""Spreadsheet imports as background jobs: the file kept in the database in parts, the dry run and the commit as
jobs (in-process and on RQ with a real Redis), their progress, who may follow them, and the purge of old uploads."""

import io
import json
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rq import SimpleWorker

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account
from programme_tracker.core import jobs as core_jobs
from programme_tracker.core.models import JobRun
from programme_tracker.finance import jobs, services
from programme_tracker.finance.imports import (
    MAX_KEPT_PROBLEMS,
    MAX_KEPT_TEXT,
    ImportProblem,
    ImportReport,
    import_money,
)
from programme_tracker.finance.models import BudgetLine, SpreadsheetImport, SpreadsheetPart
from programme_tracker.finance.progress import CHECKING, READING, SAVING, Progress, Snapshot
from programme_tracker.portfolio.models import Programme
from tests.builders import PASSWORD, ROWS_PER_PROGRAMME, budget_csv, many_programmes

GOOD = b"programme;fiscal year;amount\nHELPLINE;2026;1.000,00\nHELPLINE;2027;2.000,00\n"
URL = "/desk/finance/import/"
State = SpreadsheetImport.State


def budget_rows(count: int) -> bytes:
    """A file of `count` budget lines, over as many programmes as they need."""
    return budget_csv(count, many_programmes(-(-count // ROWS_PER_PROGRAMME)))


def uploaded(user, data=GOOD, state=None, **fields) -> SpreadsheetImport:
    """An upload whose dry run has not run (or is in `state`), without queueing anything."""
    spreadsheet = SpreadsheetImport.objects.create(uploaded_by=user, kind="budget-lines", filename="budget.csv",
                                                   size=len(data), **fields)
    SpreadsheetPart.objects.create(spreadsheet_import=spreadsheet, number=0, data=data)
    if state:
        SpreadsheetImport.objects.filter(pk=spreadsheet.pk).update(state=state)
        spreadsheet.refresh_from_db()
    return spreadsheet


# -- the file, kept in the database --------------------------------------------------------------------------------
def test_the_upload_is_kept_in_parts_and_read_back_exactly(accounts, programme, monkeypatch):
    monkeypatch.setattr(services, "PART_SIZE", 10)
    officer = accounts[roles.FINANCE_OFFICER]
    monkeypatch.setattr(services, "_enqueue", lambda spreadsheet, step: True)
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    assert spreadsheet.state == State.WAITING_TO_CHECK and spreadsheet.size == len(GOOD)
    assert SpreadsheetPart.objects.filter(spreadsheet_import=spreadsheet).count() == -(-len(GOOD) // 10)
    assert services.stored_file(spreadsheet) == GOOD


def test_a_file_larger_than_a_database_packet_is_kept(accounts, monkeypatch):
    # MariaDB's max_allowed_packet is 16 MB by default: the file goes in 1 MB parts, one INSERT each.
    monkeypatch.setattr(services, "_enqueue", lambda spreadsheet, step: True)
    data = os.urandom(20 * 1024 * 1024 + 7)
    spreadsheet = services.upload_spreadsheet(accounts[roles.FINANCE_OFFICER], "payments", "p.xlsx", data)
    assert spreadsheet.parts.count() == 21 and services.stored_file(spreadsheet) == data


def test_the_dry_run_keeps_the_file_for_the_commit_which_removes_it(accounts, programme, jobs_at_once):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    assert [function for function, _args in jobs_at_once.ran] == ["programme_tracker.finance.jobs.check"]
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.CHECKED and spreadsheet.report["created"] == 2
    assert spreadsheet.run_by and spreadsheet.started_at and spreadsheet.finished_at
    assert services.stored_file(spreadsheet) == GOOD and not BudgetLine.objects.exists()
    assert services.confirm_import(officer, spreadsheet)
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.IMPORTED and spreadsheet.confirmed_at and spreadsheet.report["committed"]
    assert BudgetLine.objects.count() == 2 and not SpreadsheetPart.objects.exists()
    history = BudgetLine.history.filter(history_type="+").first()
    assert history.history_user == officer and history.history_change_reason == "imported from budget.csv"


def test_a_job_runs_once_however_often_it_is_delivered(accounts, programme, jobs_at_once):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    assert jobs.check(spreadsheet.pk) == "not waiting"
    SpreadsheetImport.objects.filter(pk=spreadsheet.pk).update(state=State.WAITING_TO_CHECK)
    assert jobs.check(spreadsheet.pk) == "checked: 2 created, 0 updated, 0 unchanged, 0 problems"
    assert services.confirm_import(officer, spreadsheet)
    assert not services.confirm_import(officer, spreadsheet)  # a second click
    assert jobs.commit(spreadsheet.pk) == "not waiting"
    assert len(jobs_at_once.ran) == 2 and BudgetLine.objects.count() == 2
    assert SpreadsheetImport.objects.get().state == State.IMPORTED


def test_only_the_uploader_confirms(accounts, programme, jobs_at_once):
    spreadsheet = services.upload_spreadsheet(accounts[roles.FINANCE_OFFICER], "budget-lines", "budget.csv", GOOD)
    assert not services.confirm_import(accounts[roles.ADMINISTRATOR], spreadsheet)
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.CHECKED and not BudgetLine.objects.exists()


def test_records_changed_between_the_dry_run_and_the_commit_refuse_it(client, accounts, programme, jobs_at_once):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    Programme.objects.filter(pk=programme.pk).update(code="HELPLINE-NEW")  # renamed meanwhile
    assert services.confirm_import(officer, spreadsheet)
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.REFUSED and not BudgetLine.objects.exists()
    assert not SpreadsheetPart.objects.exists()
    client.force_login(officer)
    text = client.get(f"{URL}{spreadsheet.public_id}/").content.decode()
    assert "the stored records changed" in text and "unknown programme code &#x27;HELPLINE&#x27;" in text


def test_a_crash_is_recorded_and_re_raised_for_rq(client, accounts, programme, monkeypatch):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = uploaded(officer)

    def explode(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(jobs, "import_money", explode)
    with pytest.raises(RuntimeError):
        jobs.check(spreadsheet.pk)
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.FAILED and not SpreadsheetPart.objects.exists()
    client.force_login(officer)
    page = client.get(f"{URL}{spreadsheet.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200 and "stopped with an error before the end; nothing was imported" in text
    assert "the disk is on fire" not in text and 'id="import-form"' in text


# -- in the background: on RQ with Redis, or a thread without ------------------------------------------------------
def run_queue():
    """An RQ worker in this process (so that it sees the test's transaction), until the queue is empty."""
    queue = core_jobs.queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def test_on_rq_the_dry_run_and_the_commit_are_queued_jobs(client, accounts, programme, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    officer = accounts[roles.FINANCE_OFFICER]
    client.force_login(officer)
    page = client.post(URL, {"kind": "budget-lines", "file": SimpleUploadedFile("budget.csv", GOOD)})
    spreadsheet = SpreadsheetImport.objects.get()
    assert page.status_code == 302 and page["Location"] == f"{URL}{spreadsheet.public_id}/"
    queued = core_jobs.queue().jobs
    assert [job.func_name for job in queued] == ["programme_tracker.finance.jobs.check"]
    assert queued[0].timeout == services.JOB_TIMEOUT and queued[0].args == (spreadsheet.pk,)
    waiting = client.get(page["Location"]).content.decode()
    assert "Waiting for a worker to take the job" in waiting and 'id="import-progress-bar"' in waiting
    run_queue()
    assert "2 to create" in client.get(page["Location"]).content.decode()
    client.post(f"{URL}{spreadsheet.public_id}/commit/")
    run_queue()
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.IMPORTED and BudgetLine.objects.count() == 2


def test_with_redis_down_the_upload_says_so_and_keeps_nothing(client, accounts, programme, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    redis_server.stop()
    client.force_login(accounts[roles.FINANCE_OFFICER])
    page = client.post(URL, {"kind": "budget-lines", "file": SimpleUploadedFile("budget.csv", GOOD)}, follow=True)
    assert page.status_code == 200 and "The job queue cannot be reached" in page.content.decode()
    assert SpreadsheetImport.objects.get().state == State.FAILED and not SpreadsheetPart.objects.exists()


def test_with_redis_down_a_confirmation_can_be_tried_again(client, accounts, programme, settings, redis_server,
                                                           jobs_at_once):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    settings.REDIS_URL = redis_server.url
    redis_server.stop()
    client.force_login(officer)
    page = client.post(f"{URL}{spreadsheet.public_id}/commit/", follow=True)
    assert "The job queue cannot be reached; nothing was imported" in page.content.decode()
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.CHECKED and SpreadsheetPart.objects.exists()  # confirm again later


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_job_runs_on_a_thread_of_the_web_process(accounts, programme, settings):
    settings.REDIS_URL = ""
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    core_jobs._in_process_runner.submit(lambda: None).result(timeout=60)  # the runner takes one job at a time
    spreadsheet.refresh_from_db()
    assert spreadsheet.state == State.CHECKED, spreadsheet.error
    assert spreadsheet.run_by.endswith(f":{os.getpid()}")  # this process


# -- progress --------------------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_counts_rows_works_out_percent_and_time_left_and_publishes_sparingly():
    clock, published = Clock(), []
    progress = Progress(published.append, interval=0.5, clock=clock)
    progress.reading(1000)
    progress.reading(2000)  # within the interval: not published
    clock.now += 1
    progress.reading(3000)
    assert [(s.stage, s.read, s.percent) for s in published] == [(READING, 1000, None), (READING, 3000, None)]
    progress.checking(1, 4000)  # a new stage is published at once
    clock.now += 0.2
    progress.checking(2, 4000)
    clock.now += 9.8
    progress.checking(1000, 4000)  # 1000 rows in 10 s: 3000 more take 30 s
    progress.saving()
    assert [(s.stage, s.read, s.checked, s.total, s.percent, s.seconds_left) for s in published[2:]] == [
        (CHECKING, 4000, 1, 4000, 0, None), (CHECKING, 4000, 1000, 4000, 25, 30), (SAVING, 4000, 4000, 4000, 100, None)]
    assert Snapshot.from_dict(published[-1].as_dict()) == published[-1] and Snapshot.from_dict(None).stage == "waiting"


def test_the_job_publishes_its_progress_through_the_cache(accounts, programme, jobs_at_once, monkeypatch):
    seen = []
    publish = services.publish_progress
    monkeypatch.setattr(services, "publish_progress",
                        lambda spreadsheet, snapshot: (seen.append(snapshot), publish(spreadsheet, snapshot)))
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0.0)  # every change, not twice a second
    spreadsheet = services.upload_spreadsheet(accounts[roles.FINANCE_OFFICER], "budget-lines", "b.csv",
                                              budget_rows(2400))
    assert SpreadsheetImport.objects.get().state == State.CHECKED
    stages = [snapshot.stage for snapshot in seen]
    assert stages[:2] == [READING, READING] and seen[1].read == 2000 and stages[-1] == SAVING
    checked = [snapshot.checked for snapshot in seen if snapshot.stage == CHECKING]
    assert checked == sorted(checked) and checked[-1] == 2400 and seen[-1].percent == 100
    assert services.progress_of(spreadsheet) == Snapshot()  # forgotten once the job has ended


def test_the_progress_bar_shows_rows_read_and_checked_percent_and_time_left(client, accounts, programme):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = uploaded(officer, state=State.CHECKING)
    services.publish_progress(spreadsheet, Snapshot(CHECKING, read=20000, checked=8000, total=20000, percent=40,
                                                    seconds_left=95))
    client.force_login(officer)
    page = client.get(f"{URL}{spreadsheet.public_id}/").content.decode()
    assert 'hx-get="/desk/finance/import/' in page and 'hx-trigger="every 1s"' in page
    assert "unfold/js/htmx/htmx.js" in page and '<meta http-equiv="refresh"' in page  # polls, or reloads without JS
    assert "<script>" not in page.replace("<script src", "")  # nothing inline (the Content Security Policy)
    fragment = client.get(f"{URL}{spreadsheet.public_id}/progress/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert "Checking the rows (dry run)" in text and 'value="40"' in text
    assert '<dd id="import-rows-read">20,000</dd>' in text and "8,000 of 20,000" in text
    assert '<dd id="import-percent">40 %</dd>' in text and "about 2 minutes" in text
    reading = Snapshot(READING, read=3000)
    services.publish_progress(spreadsheet, reading)
    text = client.get(f"{URL}{spreadsheet.public_id}/progress/", headers={"HX-Request": "true"}).content.decode()
    assert "Reading the file" in text and "value=" not in text.split('id="import-progress-bar"')[1].split(">")[0]
    # Outside htmx the progress address leads to the page; once the job has ended htmx is sent there too.
    assert client.get(f"{URL}{spreadsheet.public_id}/progress/")["Location"] == f"{URL}{spreadsheet.public_id}/"
    services.end(spreadsheet.pk, State.REFUSED, report=ImportReport("budget-lines").as_dict())
    ended = client.get(f"{URL}{spreadsheet.public_id}/progress/", headers={"HX-Request": "true"})
    assert ended.status_code == 200 and ended["HX-Redirect"] == f"{URL}{spreadsheet.public_id}/"


def test_following_an_import_writes_nothing_not_even_the_session(client, accounts, programme, settings):
    # On SQLite a running import holds the only write lock: a poll that saved the session would wait for it.
    settings.SESSION_SAVE_EVERY_REQUEST = True
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = uploaded(officer, state=State.CHECKING)
    client.force_login(officer)
    client.get(URL)
    expires = Session.objects.get().expire_date
    for address in ("", "progress/"):
        assert client.get(f"{URL}{spreadsheet.public_id}/{address}", headers={"HX-Request": "true"}).status_code \
            == 200
    assert Session.objects.get().expire_date == expires
    client.get(URL)  # any other page extends the session
    assert Session.objects.get().expire_date > expires


def test_the_progress_page_in_dutch(client, accounts, programme):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = uploaded(officer, state=State.IMPORTING)
    services.publish_progress(spreadsheet, Snapshot(CHECKING, read=20000, checked=12000, total=20000, percent=60,
                                                    seconds_left=30))
    client.force_login(officer)
    text = client.get(f"{URL}{spreadsheet.public_id}/progress/", headers={"HX-Request": "true"},
                      HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "20.000" in text and "12.000" in text  # Dutch thousands


# -- who may follow an import ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "page", "progress", "commit"), [
    ("uploader", 200, 200, 302),
    ("another finance officer", 404, 404, 404),
    (roles.ADMINISTRATOR, 200, 200, 403),  # follows it, but the uploader confirms
    (roles.COORDINATOR, 403, 403, 403),
    (roles.MONITOR, 403, 403, 403),
    ("nobody", 302, 302, 302),  # to the log-in page
])
def test_only_the_uploader_and_administrators_follow_an_import(client, accounts, programme, jobs_at_once, who, page,
                                                               progress, commit):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    users = {"uploader": officer, "another finance officer": create_account("finance-2", roles.FINANCE_OFFICER,
                                                                            password=PASSWORD)[0]}
    user = users.get(who) or accounts.get(who)
    if user:
        client.force_login(user)
    address = f"{URL}{spreadsheet.public_id}/"
    shown = client.get(address)
    assert shown.status_code == page
    assert client.get(address + "progress/", headers={"HX-Request": "true"}).status_code == progress
    if page == 200:
        assert "2 to create" in shown.content.decode()
    listed = client.get(URL)
    assert (str(spreadsheet.public_id) in listed.content.decode()) == (page == 200)
    response = client.post(address + "commit/")
    assert response.status_code == commit
    if who == "nobody":
        assert "/login/" in response["Location"]
    assert BudgetLine.objects.count() == (2 if who == "uploader" else 0)


# -- the report kept for the page --------------------------------------------------------------------------------
def test_the_kept_report_has_exact_amounts_and_dates_and_the_first_problems(programme):
    import_money("budget-lines", b"programme;fiscal year;kind;amount;revised on\nHELPLINE;2026;revised;1,50;"
                                 b"01-02-2026\n", commit=True)
    report = import_money("budget-lines", b"programme;fiscal year;kind;amount;revised on\nHELPLINE;2026;revised;"
                                          b"2,75;03-04-2026\n")
    kept = ImportReport.from_dict(report.as_dict())
    assert kept == report
    assert kept.changes[0]["changed"][0] == {"column": "amount", "old": Decimal("1.50"), "new": Decimal("2.75")}
    # A cell holds up to 32,767 characters, which a problem may quote: the kept report stays small.
    many = ImportReport("payments", errors=[ImportProblem(n, "amount", "x" * 32767) for n in
                                            range(MAX_KEPT_PROBLEMS + 5)])
    kept = ImportReport.from_dict(many.as_dict())
    assert len(kept.errors) == MAX_KEPT_PROBLEMS and kept.problem_count == MAX_KEPT_PROBLEMS + 5 and not kept.ok
    assert kept.errors[0].message == "x" * (MAX_KEPT_TEXT - 1) + "…" and len(json.dumps(many.as_dict())) < 500_000


def test_the_page_lists_the_first_problems_and_counts_them_all(client, accounts, programme):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = uploaded(officer)
    report = ImportReport("budget-lines", errors=[ImportProblem(n, "programme", "unknown") for n in
                                                  range(2, MAX_KEPT_PROBLEMS + 12)])
    services.end(spreadsheet.pk, State.REFUSED, report=report.as_dict())
    client.force_login(officer)
    text = client.get(f"{URL}{spreadsheet.public_id}/").content.decode()
    assert f"{MAX_KEPT_PROBLEMS + 10} problems: nothing was imported" in text
    assert f"The first {MAX_KEPT_PROBLEMS} problems are listed." in text


# -- uploads do not pile up -----------------------------------------------------------------------------------------
def test_purge_removes_old_uploads_and_marks_lost_jobs(accounts, programme):
    officer = accounts[roles.FINANCE_OFFICER]
    now = timezone.now()
    fresh = uploaded(officer, state=State.CHECKED)
    old = uploaded(officer, state=State.CHECKED)
    old_waiting = uploaded(officer)
    lost = uploaded(officer, state=State.IMPORTING)
    running = uploaded(officer, state=State.CHECKING)
    SpreadsheetImport.objects.filter(pk__in=[old.pk, old_waiting.pk]).update(uploaded_at=now - timedelta(hours=25))
    SpreadsheetImport.objects.filter(pk=lost.pk).update(started_at=now - timedelta(hours=2))
    SpreadsheetImport.objects.filter(pk=running.pk).update(started_at=now - timedelta(minutes=5),
                                                           uploaded_at=now - timedelta(days=2))
    assert jobs.purge(now) == {"stalled": 1, "removed": 2, "file parts removed": 1}
    assert set(SpreadsheetImport.objects.values_list("pk", "state")) == {
        (fresh.pk, State.CHECKED), (lost.pk, State.FAILED), (running.pk, State.CHECKING)}
    assert set(SpreadsheetPart.objects.values_list("spreadsheet_import", flat=True)) == {fresh.pk, running.pk}
    lost.refresh_from_db()
    assert "stopped before the end" in lost.error


def test_purge_is_a_scheduled_job(accounts, programme):
    assert core_jobs.JOBS["purge-imports"].every_seconds == 900
    old = uploaded(accounts[roles.FINANCE_OFFICER])
    SpreadsheetImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    core_jobs.run_job("purge-imports")
    assert JobRun.objects.get(job="purge-imports").outcome == JobRun.Outcome.SUCCEEDED
    assert not SpreadsheetImport.objects.exists() and not SpreadsheetPart.objects.exists()


# -- the command line ---------------------------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_command_line_draws_a_progress_bar_on_standard_error(programme, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes(budget_rows(2400))
    out, log = io.StringIO(), io.StringIO()
    call_command("import_money", "budget-lines", str(path), stdout=out, stderr=log)
    assert out.getvalue().splitlines()[-1] == ("2400 rows dry run (nothing saved; add --commit to import): 2400 "
                                               "created, 0 updated, 0 unchanged.")
    lines = log.getvalue().splitlines()  # not a terminal: a line per stage and per tenth
    assert lines[0] == "reading the file: 1,000 rows read" and lines[-1] == "finishing the dry run…"
    assert "checking rows [" in lines[1] and "(1 of 2,400" in lines[1]
    assert len(lines) <= 14 and "\r" not in log.getvalue()
    terminal = Terminal()
    call_command("import_money", "budget-lines", str(path), "--commit", stdout=io.StringIO(), stderr=terminal)
    drawn = terminal.getvalue()
    # On a terminal one line, redrawn in place, and ended when the import is done.
    assert drawn.startswith("\rreading the file: 1,000 rows read\rchecking rows [------------------------------]   0 %")
    assert drawn.rstrip(" \n").endswith("\rsaving the rows…") and drawn.endswith("\n") and drawn.count("\n") == 1
    assert BudgetLine.objects.count() == 2400
    quiet = io.StringIO()
    call_command("import_money", "budget-lines", str(path), "--no-progress", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""
