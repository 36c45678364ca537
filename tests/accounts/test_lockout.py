"""Log-in throttling (django-axes): a user name, and separately an address, is locked out after the site's number of
failed log-ins for its minutes; every failure is recorded; Administrators see and clear lockouts in the desk."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import RequestFactory
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.config import site_config
from programme_tracker.core.network import client_address
from tests.builders import PASSWORD

LOCKED = "logging in is locked for 15 minutes"


def log_in(client, username, password, address="10.0.0.1"):
    """One attempt through the desk's log-in form from an address."""
    return client.post("/desk/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return client.get("/desk/dashboard/").status_code == 200


def test_the_fifth_wrong_password_locks_out_and_then_the_right_one_does_not_open(client, accounts):
    coordinator = accounts[roles.COORDINATOR]
    for attempt in range(1, 5):
        response = log_in(client, coordinator.username, f"wrong-{attempt}")
        assert response.status_code == 200 and "Please enter the correct username and password" in response.text
    response = log_in(client, coordinator.username, "wrong-5")
    assert response.status_code == 429 and LOCKED in response.text
    assert 'id="login-form"' in response.text  # the log-in page itself, with the message

    response = log_in(client, coordinator.username, PASSWORD)
    assert response.status_code == 429 and LOCKED in response.text and not logged_in(client)
    # Every failed log-in is recorded, also the ones while locked out.
    failures = AccessFailureLog.objects.filter(username=coordinator.username)
    assert failures.count() == 6 and failures.filter(locked_out=True).count() == 2


def test_an_address_is_locked_out_after_failures_for_several_user_names(client, accounts):
    for name in ("alice", "bob", "carol", "dave", "erin"):
        log_in(client, name, "guess", address="10.0.0.9")
    monitor = accounts[roles.MONITOR]
    assert log_in(client, monitor.username, PASSWORD, address="10.0.0.9").status_code == 429
    assert not logged_in(client)
    assert log_in(client, monitor.username, PASSWORD, address="10.0.0.10").status_code == 302
    assert logged_in(client)


def test_a_user_name_is_locked_out_after_failures_from_several_addresses(client, accounts):
    monitor = accounts[roles.MONITOR]
    for i in range(5):
        log_in(client, monitor.username, "guess", address=f"10.0.1.{i}")
    assert log_in(client, monitor.username, PASSWORD, address="10.0.2.1").status_code == 429
    assert log_in(client, accounts[roles.COORDINATOR].username, PASSWORD, address="10.0.1.0").status_code == 302


def test_spellings_of_one_user_name_count_together(client, accounts):
    """MariaDB's collation finds the account for `MONITOR` or `Mönitor` too: they must not get five tries each."""
    monitor = accounts[roles.MONITOR]
    name = monitor.username
    for i, spelling in enumerate([name.upper(), name.title(), name.replace("o", "ö", 1), f" {name} ", name]):
        log_in(client, spelling, "guess", address=f"10.0.3.{i}")
    assert log_in(client, name, PASSWORD, address="10.0.4.1").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {name.casefold()}


def test_the_lockout_ends_after_its_minutes(client, accounts):
    monitor = accounts[roles.MONITOR]
    for _ in range(5):
        log_in(client, monitor.username, "guess")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert log_in(client, monitor.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, monitor.username, PASSWORD).status_code == 302 and logged_in(client)
    assert AccessLog.objects.filter(username=monitor.username).exists()  # the log-in is recorded too


def test_an_administrator_sees_the_lockout_in_the_desk_and_clears_it(client, accounts):
    monitor = accounts[roles.MONITOR]
    for i in range(5):
        log_in(client, monitor.username, "guess", address=f"10.0.3.{i % 2}")
    log_in(client, "someone-else", "guess", address="10.0.9.9")

    desk = type(client)()
    desk.force_login(accounts[roles.ADMINISTRATOR])
    page = desk.get("/desk/accounts/lockout/?locked_out=yes").text
    assert monitor.username in page and "locked out" in page and "someone-else" not in page
    assert "someone-else" in desk.get("/desk/accounts/lockout/?locked_out=no").text
    assert "10.0.3.1" in desk.get("/desk/accounts/failedlogin/").text

    selected = AccessAttempt.objects.filter(username=monitor.username, ip_address="10.0.3.0").get()
    response = desk.post("/desk/accounts/lockout/", {"action": "clear_lockouts", "_selected_action": [selected.pk]},
                         follow=True)
    assert "may log in again" in response.text
    assert not AccessAttempt.objects.filter(username=monitor.username).exists()  # both addresses' counts
    assert AccessAttempt.objects.filter(username="someone-else").exists()
    assert log_in(client, monitor.username, PASSWORD, address="10.0.3.1").status_code == 302
    assert "monitor" in desk.get("/desk/accounts/login/").text


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR])
def test_only_administrators_see_the_log_in_records(client, login, role):
    login(role)
    for page in ("lockout", "failedlogin", "login"):
        assert client.get(f"/desk/accounts/{page}/").status_code == 403


def test_nobody_edits_the_log_in_records(client, accounts):
    log_in(client, "someone", "guess")
    desk = type(client)()
    desk.force_login(accounts[roles.ADMINISTRATOR])
    attempt, failure = AccessAttempt.objects.get(), AccessFailureLog.objects.get()
    assert desk.get("/desk/accounts/lockout/add/").status_code == 403
    assert desk.post(f"/desk/accounts/lockout/{attempt.pk}/change/", {"username": "x"}).status_code == 403
    assert desk.get(f"/desk/accounts/failedlogin/{failure.pk}/delete/").status_code == 403


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "203.0.113.7", "127.0.0.1"),  # no proxy: the header is the client's own word, ignored
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left entry is forged by the client
    (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
    (1, "unknown", "127.0.0.1"),
    (1, "", "127.0.0.1"),
    (1, "fe80::1%eth0", "fe80::1"),
])
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, proxies, forwarded, expected):
    settings.REVERSE_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_behind_a_proxy_one_client_locks_out_its_own_address_only(client, accounts, settings):
    settings.REVERSE_PROXIES = 1
    for _ in range(5):
        client.post("/desk/login/", {"username": "x", "password": "guess"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    response = client.post("/desk/login/", {"username": accounts[roles.MONITOR].username, "password": PASSWORD},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 302


def test_the_limits_are_site_settings():
    config = site_config.load(environ={"PT_LOGIN_FAILURE_LIMIT": "3", "PT_LOGIN_LOCKOUT_MINUTES": "60"})
    assert (config["login_failure_limit"], config["login_lockout_minutes"]) == (3, 60)
    defaults = site_config.load(environ={})
    names = ("login_failure_limit", "login_lockout_minutes", "reverse_proxies")
    assert [defaults[name] for name in names] == [5, 15, 0]
    with pytest.raises(site_config.SiteConfigError, match="setting login_failure_limit .* must be 1 or more"):
        site_config.load(environ={"PT_LOGIN_FAILURE_LIMIT": "0"})
