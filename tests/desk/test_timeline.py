"""The funding timeline's window: a year back to three years ahead by default, zoom and pan by the query string,
bars cut to the window, the past marked to be drawn paler, and a running programme's coming unsecured stretch."""

from datetime import date, timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.desk.timeline import Row, bars_of, chart_data, window_from
from tests.builders import fund, make_programme

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("query", "first", "last"), [
    ("", date(2025, 11, 1), date(2029, 10, 31)),
    ("zoom=quarter", date(2026, 10, 1), date(2026, 12, 31)),
    ("zoom=year", date(2026, 11, 1), date(2027, 10, 31)),
    ("zoom=5y", date(2025, 11, 1), date(2030, 10, 31)),
    ("zoom=year&from=2030-02", date(2030, 2, 1), date(2031, 1, 31)),
    # Anything else is the default window, never an error.
    ("zoom=decade&from=2030-13", date(2025, 11, 1), date(2029, 10, 31)),
    ("from=99999-01", date(2025, 11, 1), date(2029, 10, 31)),
    ("from=２０３０-01", date(2025, 11, 1), date(2029, 10, 31)),
    ("from=0001-01", date(2025, 11, 1), date(2029, 10, 31)),
])
def test_the_window_the_query_string_asks_for(query, first, last):
    window = window_from(QueryDict(query), TODAY)
    assert (window.start, window.end) == (first, last)


def test_panning_moves_by_the_zooms_step_and_remembers_the_zoom():
    window = window_from(QueryDict("zoom=year"), TODAY)
    assert window.shifted(1).query() == {"zoom": "year", "from": "2027-02"}
    assert window.shifted(-1).query() == {"zoom": "year", "from": "2026-08"}
    assert window.query() == {"zoom": "year", "from": ""}  # not panned: today decides where it starts


def test_bars_are_cut_to_the_window_and_split_at_today(accounts):
    programme = make_programme(accounts[roles.COORDINATOR], planned_start=date(2010, 1, 1))
    period = fund(programme, date(2010, 1, 1), date(2027, 6, 30))
    window = window_from(QueryDict(""), TODAY)
    bars = bars_of(programme, [period], window.end)
    chart = chart_data([Row(programme, [period], bars)], TODAY, window)
    secured = next(d for d in chart["datasets"] if d["kind"] == "secured")["points"]
    assert [(p["start"], p["end"], p["past"]) for p in secured] == [
        ("2025-11-01", "2026-11-29", True), ("2026-11-30", "2027-06-30", False)]
    assert secured[0]["from"] == "2010-01-01"  # the tooltip gives the whole period
    # Running, without a planned end: unsecured from the day after the secured end to the window's end.
    unsecured = next(d for d in chart["datasets"] if d["kind"] == "unsecured")["points"]
    assert [(p["start"], p["end"]) for p in unsecured] == [("2027-07-01", "2029-10-31")]
    assert (chart["min"], chart["max"]) == ("2025-11-01", "2029-11-01")


def test_an_ended_programme_has_no_coming_unsecured_stretch(accounts):
    programme = make_programme(accounts[roles.COORDINATOR], status="ended", planned_start=date(2019, 1, 1))
    period = fund(programme, date(2019, 1, 1), date(2022, 12, 31))
    assert [bar.kind for bar in bars_of(programme, [period], date(2029, 10, 31))] == ["secured"]


def test_the_page_offers_zoom_and_pan_keeping_the_filters(client, demo, login):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:timeline"), {"area": "prevention", "zoom": "year", "page": "1"})
    page = response.content.decode()
    assert 'href="?area=prevention&amp;zoom=quarter"' in page
    later = (demo.replace(day=1) + timedelta(days=100)).replace(day=1)
    assert f'href="?area=prevention&amp;zoom=year&amp;from={later:%Y-%m}"' in page
    assert "back to today" not in page
    panned = client.get(reverse("desk:timeline"), {"zoom": "year", "from": f"{later:%Y-%m}"}).content.decode()
    assert "back to today" in panned and "Showing 1 " in panned
