"""The second factor: who must set one up, enrolment with a code computed from the secret, the code at every
log-in, recovery codes, throttling, and an Administrator removing a lost one."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme_tracker.accounts import roles, second_factor
from programme_tracker.config import site_config
from tests.accounts.conftest import (
    app_code,
    code_from_secret,
    enrol,
    log_in_with_password,
    next_unused_code,
)
from tests.builders import PASSWORD, form_errors

ENROL = "/desk/account/second-factor/set-up/"
VERIFY = "/desk/account/second-factor/verify/"


def secret_on(page) -> str:
    """The key the enrolment page shows for typing into an app."""
    return re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', page.content.decode()).group(1)


def test_the_default_asks_it_of_administrators_and_finance_officers_and_superusers(accounts, second_factor_roles):
    assert second_factor_roles == [roles.ADMINISTRATOR, roles.FINANCE_OFFICER]
    required = {role for role, user in accounts.items() if second_factor.is_required(user)}
    assert required == {roles.ADMINISTRATOR, roles.FINANCE_OFFICER}
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    assert second_factor.is_required(root)


def test_the_site_setting_names_roles_in_any_case_and_refuses_an_unknown_one():
    config = site_config.load(environ={"PT_SECOND_FACTOR_ROLES": "monitor, ADMINISTRATOR,Finance officer"})
    assert config["second_factor_roles"] == [roles.MONITOR, roles.ADMINISTRATOR, roles.FINANCE_OFFICER]
    assert site_config.load(environ={"PT_SECOND_FACTOR_ROLES": ""})["second_factor_roles"] == []
    with pytest.raises(site_config.SiteConfigError, match="setting second_factor_roles .* names no role 'Auditor'"):
        site_config.load(environ={"PT_SECOND_FACTOR_ROLES": "Monitor,Auditor"})


def test_a_finance_officer_is_sent_to_set_it_up_and_no_other_page_opens_until_then(client, accounts,
                                                                                    second_factor_roles):
    officer = accounts[roles.FINANCE_OFFICER]
    response = log_in_with_password(client, officer, follow=True)
    assert response.redirect_chain[-1][0] == f"{ENROL}?next=%2Fdesk%2Fdashboard%2F"
    page = response.content.decode()
    assert "Your role must log in with a second factor" in page and "<svg" in page
    assert "<script>" not in page  # the QR code is inline SVG, with no script (the CSP allows none inline)
    for url in ("/desk/dashboard/", "/desk/portfolio/programme/", "/desk/finance/import/",
                "/desk/account/second-factor/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ENROL), url

    secret = secret_on(client.get(ENROL))
    assert secret == secret_on(client.get(ENROL))  # reloading keeps the same secret
    response = client.post(ENROL, {"code": "000000" if code_from_secret(secret) != "000000" else "111111",
                                   "next": "/desk/dashboard/"})
    assert "That is not the code the app shows now" in form_errors(response)
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    TOTPDevice.objects.get(user=officer).throttle_reset()  # a wrong code makes the next wait a second

    response = client.post(ENROL, {"code": code_from_secret(secret), "next": "/desk/dashboard/"}, follow=True)
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10 and set(codes) == set(StaticToken.objects.filter(device__user=officer)
                                                     .values_list("token", flat=True))
    assert "/desk/dashboard/" in response.content.decode()  # Continue leads on to the page asked for
    assert client.get("/desk/dashboard/").status_code == 200
    assert "/desk/account/second-factor/recovery-codes/" in response.redirect_chain[-1][0]
    again = client.get("/desk/account/second-factor/recovery-codes/").content.decode()  # shown once
    assert 'id="recovery-codes-gone"' in again and codes[0] not in again


def test_a_monitor_logs_in_with_the_password_alone(client, accounts, second_factor_roles):
    response = log_in_with_password(client, accounts[roles.MONITOR], follow=True)
    assert response.redirect_chain[-1][0] == "/desk/dashboard/" and response.status_code == 200


def test_whoever_has_an_app_gives_a_code_at_every_log_in(client, accounts, second_factor_roles):
    monitor = accounts[roles.MONITOR]  # not obliged, but set one up: then it is asked for too
    device = enrol(monitor)
    response = log_in_with_password(client, monitor, follow=True)
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Fdesk%2Fdashboard%2F"
    assert client.get("/desk/portfolio/programme/")["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": "12345", "next": "/desk/dashboard/"})
    assert "That is not the code your app shows now" in form_errors(response)
    device.throttle_reset()  # a wrong code makes the next wait a second; not the subject here
    code = app_code(device)
    response = client.post(VERIFY, {"code": code[:3] + " " + code[3:], "next": "/desk/portfolio/programme/"})
    assert response.status_code == 302 and response["Location"] == "/desk/portfolio/programme/"
    assert client.get("/desk/portfolio/programme/").status_code == 200

    client.post("/desk/logout/")
    log_in_with_password(client, monitor)
    response = client.post(VERIFY, {"code": code, "next": "/desk/dashboard/"})  # the same code again
    assert "That is not the code your app shows now" in form_errors(response)


def test_a_recovery_code_works_once(client, accounts):
    monitor = accounts[roles.MONITOR]
    enrol(monitor)
    codes = second_factor.new_recovery_codes(monitor)
    log_in_with_password(client, monitor)
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + "-" + codes[0][4:], "next": "/desk/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/desk/dashboard/"
    assert second_factor.recovery_codes_left(monitor) == 9

    client.post("/desk/logout/")
    log_in_with_password(client, monitor)
    response = client.post(VERIFY, {"code": codes[0], "next": "/desk/dashboard/"})
    assert "That is not one of your unused recovery codes" in form_errors(response)


def test_wrong_codes_make_the_next_attempt_wait(client, accounts):
    monitor = accounts[roles.MONITOR]
    device = enrol(monitor)
    log_in_with_password(client, monitor)
    client.post(VERIFY, {"code": "999999" if app_code(device) != "999999" else "888888"})
    response = client.post(VERIFY, {"code": next_unused_code(device)})  # even the right code, at once
    assert "Too many wrong codes. Wait until" in form_errors(response)
    # Each wrong code doubles the wait (django-otp's throttling): after ten in a row, 512 seconds.
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 10, timezone.now() - timedelta(seconds=500)
    device.save()
    assert "Too many wrong codes. Wait until" in form_errors(client.post(VERIFY, {"code": next_unused_code(device)}))
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=513)
    device.save()
    assert client.post(VERIFY, {"code": next_unused_code(device)}).status_code == 302


def test_only_pages_on_this_site_are_followed_after_the_code(client, accounts):
    monitor = accounts[roles.MONITOR]
    device = enrol(monitor)
    log_in_with_password(client, monitor)
    response = client.post(VERIFY, {"code": app_code(device), "next": "https://evil.example/desk/"})
    assert response["Location"] == "/desk/dashboard/"


def test_with_an_app_a_new_one_is_not_set_up_on_the_strength_of_the_password(client, accounts, second_factor_roles):
    officer = accounts[roles.FINANCE_OFFICER]
    device = enrol(officer)
    log_in_with_password(client, officer)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]


def test_log_out_and_the_language_open_before_the_second_factor(client, accounts, second_factor_roles):
    log_in_with_password(client, accounts[roles.ADMINISTRATOR])
    assert client.post("/i18n/setlang/", {"language": "nl", "next": ENROL})["Location"] == ENROL
    response = client.post("/desk/logout/")
    assert response.status_code in (200, 302)
    assert client.get("/desk/dashboard/")["Location"].startswith("/desk/login/")


def test_an_htmx_request_is_told_to_load_the_page_whole(client, accounts, second_factor_roles):
    log_in_with_password(client, accounts[roles.ADMINISTRATOR])
    response = client.get("/desk/inbox/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(ENROL)


def test_new_recovery_codes_replace_the_old_ones(client, accounts):
    monitor = accounts[roles.MONITOR]
    device = enrol(monitor)
    old = second_factor.new_recovery_codes(monitor)
    log_in_with_password(client, monitor)
    client.post(VERIFY, {"code": app_code(device)})
    page = client.get("/desk/account/second-factor/").content.decode()
    assert "You have 10 unused recovery codes" in page
    response = client.post("/desk/account/second-factor/", {"action": "new-recovery-codes"}, follow=True)
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.filter(user=monitor).count() == 1
    assert set(StaticToken.objects.filter(device__user=monitor).values_list("token", flat=True)) == set(new)


def test_an_administrator_removes_a_lost_second_factor_and_it_is_set_up_again(client, accounts, second_factor_roles):
    officer = accounts[roles.FINANCE_OFFICER]
    enrol(officer)
    second_factor.new_recovery_codes(officer)
    officer_client = type(client)()
    log_in_with_password(officer_client, officer)
    assert officer_client.get("/desk/dashboard/")["Location"].startswith(VERIFY)

    administrator = accounts[roles.ADMINISTRATOR]
    admin_device = enrol(administrator)
    log_in_with_password(client, administrator)
    client.post(VERIFY, {"code": app_code(admin_device)})
    listing = client.get("/desk/auth/user/").content.decode()
    assert "second factor" in listing
    response = client.post("/desk/auth/user/", {"action": "remove_second_factor", "_selected_action": [officer.pk]},
                           follow=True)
    assert "Removed the second factor of 1 person." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists() and not StaticDevice.objects.filter(user=officer)
    assert officer_client.get("/desk/dashboard/")["Location"].startswith(ENROL)

    monitor_client = type(client)()
    monitor_client.force_login(accounts[roles.MONITOR])
    response = monitor_client.post("/desk/auth/user/", {"action": "remove_second_factor",
                                                        "_selected_action": [administrator.pk]})
    assert response.status_code == 403 and TOTPDevice.objects.filter(user=administrator).exists()


def test_the_secret_keys_are_not_shown_in_the_desk(client, accounts):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    assert client.get("/desk/otp_totp/totpdevice/").status_code == 404
    assert client.get("/desk/otp_static/staticdevice/").status_code == 404
