"""The desk under its Content Security Policy in a real browser (Debian's Chromium driven by Playwright).

Every desk page loads without a policy violation and without any console message, and what needs JavaScript still
works under the policy: the charts, the inbox's htmx actions and dialogs, the report's Print button, Unfold's menus
and filter sheet, and the admin's autocomplete and inline rows. django-rq's job pages load without a message too. A
control test shows that the policy does block inline code and that these tests see it when it does.
"""

import pytest
from redis import Redis
from rq import Queue

from programme_tracker.accounts import roles
from programme_tracker.continuity.choices import AlertState
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Programme
from tests.desk.conftest import choose, log_in
from tests.desk.pages import desk_pages

CHARTS = ["programmes-by-area", "money-by-ministry", "funding-cliff", "recommendation-coverage", "alerts-by-severity"]

# Runs before the page's own scripts: each violation of the policy is written to the console, where the test
# collects it with everything else the browser says.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
  + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`));
"""


class Console:
    """Every console message and uncaught error of a page, policy violations included."""

    def __init__(self, page):
        self.messages = []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.record)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught error: {error}"))

    def record(self, message):
        where = message.location.get("url", "")
        if where.endswith("/favicon.ico"):
            return  # the browser asks every site for an icon; the desk has none (a 404 nobody sees)
        if message.type == "verbose":
            return  # Chromium's authoring hints ("[DOM] Input elements should have autocomplete attributes")
        self.messages.append(f"{message.type}: {message.text} ({where})")

    def take(self) -> list[str]:
        """The messages since the last call."""
        messages, self.messages = self.messages, []
        return messages


@pytest.fixture
def console(page):
    return Console(page)


def settle(page):
    """Wait until the page has loaded and its scripts have run their start-up work (Alpine, charts, htmx)."""
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")


def drawn(page, canvas_id):
    """Wait until desk.js has drawn the chart on this canvas."""
    page.wait_for_selector(f"canvas#{canvas_id}[data-drawn='true']", state="attached")


def test_every_desk_page_loads_under_the_policy_without_a_console_message(live_server, page, console, accounts,
                                                                          demo):
    administrator = accounts[roles.ADMINISTRATOR]
    response = page.goto(f"{live_server.url}/desk/login/")
    settle(page)
    assert "script-src" in response.headers["content-security-policy"]
    assert console.take() == []
    log_in(page, live_server, administrator)
    problems, visited = {}, 0
    for url in desk_pages(administrator):
        response = page.goto(live_server.url + url)
        settle(page)
        assert response.status == 200, url
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        visited += 1
        if messages := console.take():
            problems[url] = messages
    assert problems == {}
    assert visited > 40  # the desk's pages and every model's list, add and change pages


def test_the_policy_blocks_inline_code_and_the_test_sees_it(live_server, page, console, accounts, demo):
    log_in(page, live_server, accounts[roles.COORDINATOR])
    page.goto(f"{live_server.url}/desk/dashboard/")
    settle(page)
    assert console.take() == []
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injectedCodeRan = true;";
        document.body.append(script);
        document.body.insertAdjacentHTML(
            "beforeend", '<button id="injected-button" onclick="window.injectedCodeRan = true">x</button>');
        document.getElementById("injected-button").click();
    }""")
    assert page.evaluate("() => window.injectedCodeRan") is None
    messages = "\n".join(console.take())
    assert "CSP violation: script-src-elem blocked inline" in messages
    assert "CSP violation: script-src-attr blocked inline" in messages


def test_what_needs_javascript_works_under_the_policy(live_server, page, console, accounts, demo):
    log_in(page, live_server, accounts[roles.ADMINISTRATOR])

    # The dashboard's charts (Chart.js) are drawn, and Unfold's user menu (Alpine) opens.
    page.goto(f"{live_server.url}/desk/dashboard/")
    for chart in CHARTS:
        drawn(page, chart)
    assert not page.locator("#logout-form").is_visible()
    page.click("#user-menu-button")
    page.wait_for_selector("#logout-form", state="visible")

    # The timeline and a programme's page draw theirs.
    page.goto(f"{live_server.url}/desk/timeline/")
    drawn(page, "timeline")
    page.goto(f"{live_server.url}/desk/programmes/{Programme.objects.get(code='STOP-IT-NOW').pk}/")
    drawn(page, "timeline")

    # The inbox acknowledges in place (htmx) and opens its dialog (desk.js).
    page.goto(f"{live_server.url}/desk/inbox/")
    page.evaluate("() => { window.stayedOnPage = true; }")
    alert = Alert.objects.get(rule="recommendation-uncovered", subject_label="POL-1")
    page.click(f"#acknowledge-{alert.pk}")
    page.wait_for_selector(f"#alert-{alert.pk}[data-state='acknowledged']")
    assert page.evaluate("() => window.stayedOnPage") is True
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    page.click(f"#dismiss-{alert.pk}")
    assert page.locator("#dialog-dismiss").is_visible()
    page.keyboard.press("Escape")

    # The report's Print button prints (it was an onclick attribute, which the policy blocks).
    page.goto(f"{live_server.url}/desk/report/")
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.click("#report-print")
    assert page.evaluate("() => window.printed") is True

    # Unfold's filter sheet on a list opens.
    page.goto(f"{live_server.url}/desk/portfolio/programme/")
    page.click("[x-on\\:click='filterOpen = true']")
    page.wait_for_selector("#changelist-filter", state="visible")

    # The admin's autocomplete (select2) and "Add another" inline rows work on a form.
    page.goto(f"{live_server.url}/desk/portfolio/programme/add/")
    choose(page, "id_lead_ministry", "VWS")
    assert "VWS" in page.locator("#id_lead_ministry").input_value() or page.locator(
        "#id_lead_ministry option:checked").inner_text().find("VWS") >= 0
    page.click("text=Add another Funding period")
    page.wait_for_selector("#id_funding_periods-0-amount")

    assert console.take() == []


def test_the_job_pages_load_under_the_policy(live_server, page, console, accounts, settings, redis_server):
    """django-rq's pages (with Redis), its lists served without their inline script."""
    settings.REDIS_URL = redis_server.url
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url}}
    Queue("default", connection=Redis.from_url(redis_server.url)).enqueue("programme_tracker.core.jobs.nothing")
    log_in(page, live_server, accounts[roles.ADMINISTRATOR])
    for path in ("", "queues/0/", "queues/0/finished/", "queues/0/failed/", "queues/0/scheduled/",
                 "queues/0/started/", "queues/0/deferred/", "workers/0/"):
        response = page.goto(f"{live_server.url}/desk/jobs/{path}")
        settle(page)
        assert response.status == 200, path
        assert console.take() == [], path


def test_the_second_factor_pages_load_under_the_policy(live_server, page, console, accounts, settings):
    """Setting up an authenticator app (the QR code is an inline SVG), the recovery codes and the second factor's
    own page."""
    from tests.accounts.conftest import code_from_secret

    settings.SECOND_FACTOR_ROLES = [roles.ADMINISTRATOR]
    log_in(page, live_server, accounts[roles.ADMINISTRATOR])
    settle(page)
    assert page.locator("#second-factor-qr svg").is_visible()
    assert console.take() == []
    page.fill("#id_code", code_from_secret(page.inner_text("#second-factor-key")))
    page.click("#second-factor-form button[type=submit]")
    settle(page)
    assert "/desk/account/second-factor/" in page.url
    assert console.take() == []
    response = page.goto(f"{live_server.url}/desk/account/second-factor/")
    settle(page)
    assert response.status == 200
    assert console.take() == []

