"""The admin's programme list: secured-until by DESIGN.md's definition (the run containing today), the same as the
dashboard's, and its filter by when secured funding ends."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from programme_tracker.accounts import roles
from programme_tracker.desk.snapshot import snapshot
from tests.builders import fund, make_programme

pytestmark = pytest.mark.django_db
LIST = "/desk/portfolio/programme/"


@pytest.fixture
def portfolio(accounts):
    """Four programmes: secured now with more after a gap, in a gap, ended, never secured."""
    today = timezone.localdate()
    owner = accounts[roles.COORDINATOR]
    now = make_programme(owner, code="NOW")
    fund(now, today - timedelta(days=100), today + timedelta(days=30))
    fund(now, today + timedelta(days=200), today + timedelta(days=1500))  # after a gap: not secured-until
    gap = make_programme(owner, code="GAP")
    fund(gap, today - timedelta(days=300), today - timedelta(days=10))
    fund(gap, today + timedelta(days=20), today + timedelta(days=400))
    ended = make_programme(owner, code="ENDED")
    fund(ended, today - timedelta(days=300), today - timedelta(days=10))
    fund(ended, today + timedelta(days=20), today + timedelta(days=400), status="indicative")
    never = make_programme(owner, code="NEVER")
    fund(never, today, today + timedelta(days=400), status="indicative")
    return {"today": today, "now": now}


def codes(page: str) -> set[str]:
    return {code for code in ("NOW", "GAP", "ENDED", "NEVER") if f">{code}<" in page}


def test_the_list_shows_the_secured_until_of_the_dashboard(client, login, portfolio):
    login(roles.COORDINATOR)
    page = client.get(LIST).content.decode()
    today, now = portfolio["today"], portfolio["now"]
    assert snapshot(today).until(now.pk) == today + timedelta(days=30)
    assert date_format(today + timedelta(days=30)) in page
    assert date_format(today + timedelta(days=1500)) not in page  # the period after the gap is not "secured until"
    assert page.count(">not secured today<") == 3


@pytest.mark.parametrize(("choice", "expected"), [
    ("90", {"NOW"}), ("365", {"NOW"}), ("later", set()), ("gap", {"GAP"}), ("ended", {"ENDED"}),
    ("none", {"NEVER"}),
])
def test_the_filter_by_end_of_secured_funding(client, login, portfolio, choice, expected):
    login(roles.COORDINATOR)
    response = client.get(LIST, {"funding_ends": choice})
    assert response.status_code == 200
    assert codes(response.content.decode()) == expected


def test_the_list_works_out_secured_until_in_one_query_per_page(client, login, portfolio,
                                                                django_assert_max_num_queries):
    login(roles.COORDINATOR)
    client.get(LIST)  # warm the session and the caches
    for number in range(10):
        fund(make_programme(portfolio["now"].owner, code=f"MORE{number}"), portfolio["today"],
             portfolio["today"] + timedelta(days=10))
    with django_assert_max_num_queries(30) as counted:
        client.get(LIST)
    few = len(counted.captured_queries)
    for number in range(10, 30):
        fund(make_programme(portfolio["now"].owner, code=f"MORE{number}"), portfolio["today"],
             portfolio["today"] + timedelta(days=10))
    with django_assert_max_num_queries(few) as counted:
        client.get(LIST)
