"""The programme's page: sections that modules above the portfolio register, in their order, around its fields."""

import pytest

from programme_tracker.accounts import roles
from programme_tracker.portfolio import panels
from programme_tracker.portfolio.panels import Panel, register_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_panel(monkeypatch):
    """A panel of a module that is not there yet (the task force), registered as its ready() would."""
    monkeypatch.setattr(panels, "_panels", dict(panels._panels))  # put the registry back afterwards
    register_panel(Panel("decisions", "Task-force decisions", "portfolio/panels/change_log.html",
                         lambda programme: {"changes": []}, order=50))


def test_registered_panels_show_in_order_around_the_programme_fields(client, login, programme, extra_panel):
    login(roles.COORDINATOR)
    page = client.get(f"/desk/portfolio/programme/{programme.pk}/change/").content.decode()
    order = [page.index(f'id="panel-{name}"') for name in ("open-alerts", "money")]
    order += [page.index('name="code"')]  # the programme's own fields
    order += [page.index(f'id="panel-{name}"') for name in ("decisions", "change-log")]
    assert order == sorted(order)
    assert "Task-force decisions" in page and 'aria-labelledby="panel-decisions-title"' in page


def test_a_new_programme_has_no_panels_yet(client, login):
    login(roles.COORDINATOR)
    page = client.get("/desk/portfolio/programme/add/").content.decode()
    assert 'id="panel-' not in page
