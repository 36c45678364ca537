"""The accessibility statement: every person who works in the desk may read it (a role or none), anonymous people
are sent to log in; it names the checker the tests use, and it is linked from every page's footer."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.desk.views import AXE_CORE_VERSION

LOCK = Path(__file__).resolve().parents[2] / "package-lock.json"


@pytest.mark.parametrize(("who", "status"), [
    *((role, 200) for role in roles.ROLES), ("staff without a role", 200), ("anonymous", 302),
])
def test_who_reads_the_accessibility_statement(client, login, who, status):
    login(who)
    response = client.get(reverse("desk:accessibility"))
    assert response.status_code == status
    if status == 302:
        assert "/desk/login/" in response["Location"]


def test_the_statement_names_the_pinned_checker_and_every_page_links_to_it(client, login, settings):
    pinned = json.loads(LOCK.read_text())["packages"]["node_modules/axe-core"]["version"]
    assert pinned == AXE_CORE_VERSION
    settings.MAIL_REPLY_TO = "secretariaat@taskforce.example"
    login(roles.MONITOR)
    page = client.get(reverse("desk:accessibility")).content.decode()
    assert f"axe-core {pinned}" in page and "WCAG 2.1" in page and "secretariaat@taskforce.example" in page
    for address in (reverse("desk:dashboard"), reverse("admin:portfolio_programme_changelist")):
        page = client.get(address).content.decode()
        assert f'href="{reverse("desk:accessibility")}"' in page and 'href="#content"' in page
