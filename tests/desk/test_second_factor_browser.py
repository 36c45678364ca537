"""The second factor in a real browser (Debian's Chromium driven by Playwright): an Administrator is sent to set up
an authenticator app, enrols with a code computed from the secret the page shows, logs out, and logs in again with
a code; and five wrong passwords show the lockout message on the log-in page."""

from programme_tracker.accounts import roles
from tests.accounts.conftest import DEFAULT_SECOND_FACTOR_ROLES, code_from_secret
from tests.builders import PASSWORD


def submit_password(page, live_server, username, password):
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_an_administrator_enrols_logs_out_and_logs_in_with_a_code(live_server, page, accounts, settings):
    settings.SECOND_FACTOR_ROLES = list(DEFAULT_SECOND_FACTOR_ROLES)
    administrator = accounts[roles.ADMINISTRATOR]
    submit_password(page, live_server, administrator.username, PASSWORD)
    assert "/desk/account/second-factor/set-up/" in page.url
    assert page.locator("#second-factor-qr svg").is_visible()
    secret = page.inner_text("#second-factor-key")
    page.fill("#id_code", code_from_secret(secret))
    page.click("#second-factor-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#recovery-codes-page a:has-text('Continue')")
    page.wait_for_url("**/desk/dashboard/")

    # Log out from the user menu, where the second-factor page is listed too.
    page.click(f"text={administrator.username}")
    page.locator("a:has-text('Second factor')").wait_for(state="visible")  # the menu opens with a transition
    page.click("#logout-form button[type=submit]")
    page.wait_for_load_state()

    submit_password(page, live_server, administrator.username, PASSWORD)
    assert "/desk/account/second-factor/verify/" in page.url
    page.goto(f"{live_server.url}/desk/portfolio/programme/")  # nothing opens before the code
    assert "/desk/account/second-factor/verify/" in page.url
    page.fill("#id_code", "000000" if code_from_secret(secret, 1) != "000000" else "111111")
    page.click("#second-factor-form button[type=submit]")
    page.wait_for_load_state()
    assert "That is not the code your app shows now" in page.inner_text("#second-factor-form")
    page.wait_for_timeout(1100)  # a wrong code makes the next wait a second
    # The code of the enrolment was used once; the app's next one is accepted (one step either way is).
    page.fill("#id_code", code_from_secret(secret, steps_ahead=1))
    page.click("#second-factor-form button[type=submit]")
    page.wait_for_url("**/desk/portfolio/programme/")
    assert "Programmes" in page.inner_text("body")


def test_the_log_in_page_says_when_it_is_locked_out(live_server, page, accounts):
    for attempt in range(5):
        submit_password(page, live_server, accounts[roles.MONITOR].username, f"wrong-{attempt}")
    assert "logging in is locked for 15 minutes" in page.inner_text("#locked-out")
    submit_password(page, live_server, accounts[roles.MONITOR].username, PASSWORD)
    assert "logging in is locked" in page.inner_text("#locked-out") and "/desk/login/" in page.url
