"""Passwords pass the site's validators wherever one is set (add-user, PT_ADMIN_PASSWORD, the terminal prompt, the
desk), and a generated password is shown only on a terminal, otherwise written to a file only its owner reads."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account
from programme_tracker.setup import services as setup
from tests.builders import form_errors

User = get_user_model()


class Terminal(io.StringIO):
    """Output that says it is an interactive terminal."""

    def isatty(self):
        return True


@pytest.fixture
def site_dir(settings, tmp_path):
    """The site's folder, where password files go, in a temporary folder."""
    settings.SITE_DIR = tmp_path
    return tmp_path


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_account_with_a_weak_password_or_a_bad_name_is_refused_naming_the_field(base):
    with pytest.raises(ValidationError) as refused:
        create_account("jdoe", roles.MONITOR, password="12345678")
    assert "This password is too common." in refused.value.message_dict["password"]
    assert "This password is entirely numeric." in refused.value.message_dict["password"]
    with pytest.raises(ValidationError) as refused:
        create_account("j doe/1", roles.MONITOR, password="a-long-test-password-1")
    assert list(refused.value.message_dict) == ["username"]
    assert not User.objects.exists()


def test_add_user_refuses_a_weak_password_and_says_why(base):
    with pytest.raises(CommandError, match="password: This password is too short"):
        call_command("add_user", "jdoe", role=roles.MONITOR, password="short1", stdout=io.StringIO())
    assert not User.objects.filter(username="jdoe").exists()


def test_add_user_without_a_terminal_writes_the_generated_password_to_a_file_only_its_owner_reads(base, site_dir):
    out = io.StringIO()
    call_command("add_user", "jdoe", role=roles.MONITOR, stdout=out)
    path = site_dir / "passwords" / "jdoe.txt"
    password = path.read_text().strip()
    assert User.objects.get(username="jdoe").check_password(password)
    assert password not in out.getvalue() and str(path) in out.getvalue()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_add_user_on_a_terminal_shows_the_generated_password(base, site_dir):
    out = Terminal()
    call_command("add_user", "jdoe", role=roles.MONITOR, stdout=out)
    password = out.getvalue().split("password '")[1].split("'")[0]
    assert User.objects.get(username="jdoe").check_password(password)
    assert not (site_dir / "passwords").exists()


def test_a_weak_pt_admin_password_creates_no_administrator(base, monkeypatch):
    monkeypatch.setenv("PT_ADMIN_PASSWORD", "password")
    with pytest.raises(CommandError, match="PT_ADMIN_PASSWORD.*\n  password: This password is too common"):
        setup.ensure_first_administrator(lambda line: None, prompt=False, terminal=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()


def test_setup_without_a_terminal_puts_the_first_administrators_password_in_a_file(base, site_dir, monkeypatch):
    monkeypatch.delenv("PT_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("PT_ADMIN_USERNAME", raising=False)
    out = io.StringIO()
    setup.ensure_first_administrator(out.write, prompt=False, terminal=out)
    path = site_dir / "passwords" / "admin.txt"
    password = path.read_text().strip()
    assert User.objects.get(username="admin", is_superuser=True).check_password(password)
    assert password not in out.getvalue() and f"password in {path}" in out.getvalue()
    assert mode(path) == 0o600


def test_the_password_file_is_rewritten_for_its_owner_alone(base, site_dir):
    from programme_tracker.accounts.passwords import write_password_file

    path = site_dir / "passwords" / "jdoe.txt"
    path.parent.mkdir()
    path.write_text("an old, longer password that others could read\n")
    path.chmod(0o644)
    write_password_file("jdoe", "new-one")
    assert path.read_text() == "new-one\n" and mode(path) == 0o600


def test_the_prompt_asks_again_for_a_password_the_checks_refuse(monkeypatch, capsys):
    answers = iter(["12345678", "a-long-admin-password", "a-long-admin-password"])
    monkeypatch.setattr(setup.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(setup.getpass, "getpass", lambda prompt: next(answers))
    assert setup.ask_password("admin") == "a-long-admin-password"
    assert "Not accepted: This password is too common." in capsys.readouterr().out


def test_the_desk_refuses_a_weak_password_for_a_new_account_and_on_a_change(client, login, accounts):
    login(roles.ADMINISTRATOR)
    response = client.post("/desk/auth/user/add/", {"username": "jdoe", "usable_password": "true",
                                                    "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "This password is too common." in form_errors(response)
    assert not User.objects.filter(username="jdoe").exists()
    monitor = accounts[roles.MONITOR]
    response = client.post(f"/desk/auth/user/{monitor.pk}/password/", {"password1": "abc",
                                                                        "password2": "abc"})
    assert response.status_code == 200 and "This password is too short." in form_errors(response)
