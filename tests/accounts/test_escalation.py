"""An Administrator gives roles but cannot make itself (or anyone) superuser, nor touch a superuser's account."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from programme_tracker.accounts import roles
from tests.builders import PASSWORD


def change_form_data(user, **changes):
    """What the user change form posts for this account, with some fields changed."""
    data = {"username": user.username, "first_name": "", "last_name": "", "email": user.email,
            "is_active": "on", "is_staff": "on", "groups": [g.pk for g in user.groups.all()],
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    data.update(changes)
    return data


def test_administrator_cannot_tick_superuser_on_its_own_account(client, login):
    admin_user = login(roles.ADMINISTRATOR)
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    everything = list(Permission.objects.values_list("pk", flat=True))
    client.post(url, change_form_data(admin_user, is_superuser="on", user_permissions=everything))
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser and not admin_user.user_permissions.exists()


def test_administrator_cannot_change_or_delete_a_superuser(client, login):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", PASSWORD)
    login(roles.ADMINISTRATOR)
    assert client.post(reverse("admin:auth_user_change", args=[boss.pk]),
                       change_form_data(boss, email="attacker@example.org", is_active="")).status_code == 403
    assert client.post(reverse("admin:auth_user_password_change", args=[boss.pk]),
                       {"password1": "x-new-pass-9876", "password2": "x-new-pass-9876"}).status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[boss.pk]), {"post": "yes"}).status_code == 403
    boss.refresh_from_db()
    assert boss.is_active and boss.email == "boss@example.org" and boss.check_password(PASSWORD)


@pytest.mark.parametrize("action", ["add", "change", "delete"])
def test_administrator_reads_roles_but_cannot_edit_their_permissions(client, login, action):
    login(roles.ADMINISTRATOR)
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    before = set(group.permissions.values_list("pk", flat=True))
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 200
    url = {"add": reverse("admin:auth_group_add"), "change": reverse("admin:auth_group_change", args=[group.pk]),
           "delete": reverse("admin:auth_group_delete", args=[group.pk])}[action]
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = client.post(url, {"name": "Root", "permissions": everything, "post": "yes"})
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert not Group.objects.filter(name="Root").exists()


def test_superuser_may_still_make_a_superuser(client, login, accounts):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", PASSWORD)
    client.force_login(boss)
    monitor = accounts[roles.MONITOR]
    response = client.post(reverse("admin:auth_user_change", args=[monitor.pk]),
                           change_form_data(monitor, is_superuser="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor.refresh_from_db()
    assert monitor.is_superuser


@pytest.mark.parametrize("role", [roles.MONITOR, roles.COORDINATOR, roles.FINANCE_OFFICER, roles.ADMINISTRATOR])
def test_a_past_version_is_read_only_for_every_role(client, login, programme, role):
    """simple-history would save a form posted to a version's page with only the view permission (a revert)."""
    login(role)
    version = programme.history.first()
    url = reverse("admin:portfolio_programme_simple_history", args=[programme.pk, version.history_id])
    assert client.get(url).status_code == 200
    data = {"code": programme.code, "name": "Changed through history", "area": "prevention", "status": "active",
            "version": programme.version, "_save": "Save"}
    assert client.post(url, data).status_code == 403
    programme.refresh_from_db()
    assert programme.name == "Helpline"
    for bad in ("abc", "1.0", "²", "9" * 30):
        assert client.get(reverse("admin:portfolio_programme_change", args=[programme.pk]).replace(
            "/change/", f"/history/{bad}/")).status_code == 404, bad
