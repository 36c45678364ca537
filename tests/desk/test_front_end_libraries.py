"""Every desk page loads one copy of Chart.js and one of htmx: the ones Unfold's base template (which the desk
extends) loads on every admin page. A second copy would run beside the first: two htmx instances each poll and post
for the same hx- attributes, and window.Chart is whichever came last."""

import re
from collections import Counter
from pathlib import Path

import unfold
from django.contrib.staticfiles import finders

from programme_tracker.accounts import roles
from tests.desk.pages import desk_pages

SCRIPT_SOURCE = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
LIBRARIES = {"chart.js": re.compile(r"/chart[^/]*\.js$"), "htmx": re.compile(r"/htmx[^/]*\.js$")}


def library_copies(html: str) -> Counter:
    """How many script tags of the page load each library, by the library's file name."""
    return Counter(name for source in SCRIPT_SOURCE.findall(html) for name, pattern in LIBRARIES.items()
                   if pattern.search(source.split("?")[0]))


def test_the_count_finds_every_copy():
    page = ('<script src="/static/unfold/js/chart/chart.js"></script><script src="/static/unfold/js/htmx/htmx.js">'
            '</script><script src="/static/vendor/htmx/htmx.min.js" defer></script>'
            '<script src="/static/desk/desk.js" defer></script><canvas id="chart-1"></canvas>')
    assert library_copies(page) == {"chart.js": 1, "htmx": 2}


def test_every_desk_page_loads_one_copy_of_each_library(client, accounts, demo):
    administrator = accounts[roles.ADMINISTRATOR]
    client.force_login(administrator)
    wrong = {}
    for url in desk_pages(administrator):
        response = client.get(url)
        assert response.status_code == 200, url
        copies = library_copies(response.content.decode())
        if copies != {"chart.js": 1, "htmx": 1}:
            wrong[url] = dict(copies)
    assert wrong == {}


def test_the_libraries_are_unfolds_own_versions():
    """desk.js is written for Chart.js 4 and the pages for htmx 2: an Unfold release that changes either fails here."""
    static = Path(unfold.__file__).parent / "static"
    chart = (static / "unfold/js/chart/chart.js").read_text()
    htmx = (static / "unfold/js/htmx/htmx.js").read_text()
    assert re.search(r"\"4\.\d+\.\d+\"", chart), "Unfold no longer ships Chart.js 4"
    assert re.search(r"version:\"2\.\d+\.\d+\"", htmx), "Unfold no longer ships htmx 2"
    assert finders.find("unfold/js/chart/chart.js") and finders.find("unfold/js/htmx/htmx.js")
