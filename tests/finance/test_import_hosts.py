"""One import served by several hosts: two web processes and two RQ workers that share nothing but MariaDB and
Redis (each has its own sites folder and its own temporary folder). The file goes up to one web process, a worker
checks it and another (or the same) imports it, and the other web process shows the progress and the report."""

import http.cookiejar
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from redis import Redis
from rq import Worker

from programme_tracker.accounts import roles
from programme_tracker.finance.models import BudgetLine, SpreadsheetImport, SpreadsheetPart
from tests.builders import budget_csv, many_programmes
from tests.processes import CLI, environment, free_port, needs_server_database

ROWS = 20_000
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


class Browser:
    """Just enough of a browser over urllib: cookies (the session and the CSRF token), no automatic redirects."""

    class _NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, session_cookie: str):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  self._NoRedirects)
        self.session_cookie = session_cookie

    def request(self, url, data=None, headers=None):
        """(status, headers, text) of a request; the session cookie is sent to every host."""
        request = urllib.request.Request(url, data=data, headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_cookie}; csrftoken={self.csrf_cookie()}",
            **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf_cookie(self) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == settings.CSRF_COOKIE_NAME), "")

    def post_form(self, url, page: str, fields: dict, files: dict | None = None):
        """Post a form with the CSRF token the page holds (multipart with `files`: name → (filename, bytes))."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrfmiddlewaretoken": token, **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def host(folder: Path, redis_url: str) -> dict:
    """The environment of one host: its own copy of the site's configuration and its own temporary folder; the
    database (the test's) and Redis are the only things it shares with the others."""
    sites = folder / "sites"
    source = Path(settings.SITE_DIR) / "site_config.json"
    (sites / settings.SITE_NAME).mkdir(parents=True)
    if source.exists():
        shutil.copy(source, sites / settings.SITE_NAME / "site_config.json")
    (folder / "tmp").mkdir()
    env = environment(redis_url=redis_url, secret_key=settings.SECRET_KEY, second_factor_roles="")
    env.update({"PT_SITES_DIR": str(sites), "TMPDIR": str(folder / "tmp"), "PT_SITE": settings.SITE_NAME})
    return env


def start(command: list[str], env: dict, folder: Path) -> subprocess.Popen:
    log = open(folder / "output.log", "w")  # noqa: SIM115  (closed with the process, in the test's finally)
    return subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)


def wait_until_serving(url: str, process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url + "/desk/login/", timeout=30)
            return
        except OSError:  # not listening yet, or still loading (the machine may be busy)
            assert process.poll() is None and time.monotonic() < deadline, (folder / "output.log").read_text()
            time.sleep(0.3)


def follow(browser: Browser, web: str, address: str) -> list[str]:
    """Poll an import's progress on a web process as htmx does, until it says the job has ended; returns the
    'rows checked' figures seen on the way."""
    seen = []
    deadline = time.monotonic() + 600
    while True:
        status, headers, text = browser.request(web + address + "progress/", headers={"HX-Request": "true"})
        assert status == 200, text[:2000]
        if headers.get("HX-Redirect"):
            assert headers["HX-Redirect"] == address
            return seen
        checked = re.search(r'id="import-rows-checked">([^<]*)<', text).group(1)
        if not seen or seen[-1] != checked:
            seen.append(unescape(checked))
        assert time.monotonic() < deadline, "the job did not end in 10 minutes"
        time.sleep(0.2)


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_and_two_workers_share_one_import(accounts, redis_server, tmp_path):
    needs_server_database()
    data = budget_csv(ROWS, many_programmes(ROWS // 200))
    officer = accounts[roles.FINANCE_OFFICER]
    login = Client()
    login.force_login(officer)
    browser = Browser(login.cookies[settings.SESSION_COOKIE_NAME].value)
    folders = {name: tmp_path / name for name in ("web-1", "web-2", "worker-1", "worker-2")}
    ports = {name: free_port() for name in ("web-1", "web-2")}
    processes = {}
    try:
        for name, folder in folders.items():
            folder.mkdir()
            env = host(folder, redis_server.url)
            command = ([GUNICORN, "programme_tracker.config.wsgi", "--bind", f"127.0.0.1:{ports[name]}",
                        "--workers", "1", "--timeout", "30"] if name.startswith("web") else [CLI, "worker"])
            processes[name] = start(command, env, folder)
        web_1, web_2 = (f"http://127.0.0.1:{ports[name]}" for name in ("web-1", "web-2"))
        for name, web in (("web-1", web_1), ("web-2", web_2)):
            wait_until_serving(web, processes[name], folders[name])

        # The file goes up to the first web process …
        _status, _headers, form = browser.request(web_1 + "/desk/finance/import/")
        status, headers, text = browser.post_form(web_1 + "/desk/finance/import/", form, {"kind": "budget-lines"},
                                                  {"file": ("begroting.csv", data)})
        assert status == 302, text[:3000]
        address = headers["Location"]
        spreadsheet = SpreadsheetImport.objects.get()
        assert address == f"/desk/finance/import/{spreadsheet.public_id}/"
        assert SpreadsheetPart.objects.filter(spreadsheet_import=spreadsheet).exists()  # in the database

        # … a worker checks it, and the second web process shows how far it has come, then the report.
        seen = follow(browser, web_2, address)
        moving = [figure for figure in seen if figure.endswith(" of 20,000") and not figure.startswith("20,000")]
        assert moving, seen
        status, _headers, report = browser.request(web_2 + address)
        assert status == 200 and "Dry run of 20000 rows: 20000 to create" in report, report[:3000]
        assert not BudgetLine.objects.exists()

        # Confirmed on the second web process, imported by a worker, followed on the first.
        status, headers, _text = browser.post_form(web_2 + address + "commit/", report, {})
        assert status == 302 and headers["Location"] == address
        follow(browser, web_1, address)
        status, _headers, report = browser.request(web_1 + address)
        assert "Imported 20000 rows: 20000 created, 0 updated, 0 unchanged." in report, report[:3000]
        assert BudgetLine.objects.count() == ROWS
        assert not SpreadsheetPart.objects.exists()  # the file is gone with the import done

        # The two jobs ran on the workers (RQ's registry of workers on the shared Redis).
        workers = Worker.all(connection=Redis.from_url(redis_server.url))
        assert {worker.pid for worker in workers} == {processes["worker-1"].pid, processes["worker-2"].pid}
        assert sum(worker.successful_job_count for worker in workers) == 2
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)
