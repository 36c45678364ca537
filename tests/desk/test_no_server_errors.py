"""No address of the desk answers with a server error, whatever the query string, path id or role.

Every page (the desk's own, the finance pages, and every admin list, add, change, history and delete page) is
requested with the query parameters its own links and forms use, and with unknown ones, filled with extreme and
random values; Hypothesis searches for a combination that gives a 5xx and shrinks it to the smallest one.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Programme

# The values most likely to break a parser, tried on every parameter of every page.
SWEEP = ["abc", "²", "9" * 30, "0001-01-01", "9999-12-31", "1e309", "\x00", "a" * 3000, "-1", "1,2"]
EXTREMES = SWEEP + ["", "0", "٣", "-" + "9" * 25, "2026-02-30", "NaN", "inf", "%", "%%", "'", '"', "<b>", "__", "[]",
                    "{}", "null", "true", "2026-13-01", "31-12-2026", "2026-W05", "../..", "\u202e", " ", "0x10", "1.5"]
# Parameters the admin and the desk read, beside those found in the pages' own links and forms.
KNOWN_KEYS = ["q", "o", "p", "e", "all", "page", "date", "ministry", "area", "status", "view", "next",
              "_changelist_filters", "_to_field", "_popup", "since", "zoom", "start", "kind"]


def desk_addresses(programme_id: int, alert_id: int) -> list[str]:
    """Every page of the desk, with a real record where a page needs one."""
    addresses = [reverse("desk:" + name) for name in ("dashboard", "timeline", "coverage", "inbox", "report")]
    addresses += [reverse("desk:programme", args=[programme_id]),
                  reverse("desk:inbox-act", args=[alert_id, "dismiss"]),
                  reverse("finance-budget-against-actual"), reverse("finance-import"),
                  reverse("finance-export", args=["payments"]), reverse("django_rq:home"), reverse("admin:index")]
    for model in admin.site._registry:
        if not model._meta.managed:  # django-rq's stand-in for its job pages, which are probed above
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        addresses += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            addresses += [reverse(f"{prefix}_{view}", args=[obj.pk]) for view in ("change", "history", "delete")]
    return addresses


def parameters_on(html: str) -> set[str]:
    """The query parameters a page's own links use (its filters, sorting, paging, date drill-down)."""
    keys = set()
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        keys.update(key for key, _value in parse_qsl(urlsplit(unescape(href)).query, keep_blank_values=True))
    return keys


@pytest.fixture
def visitors(accounts):
    """Who probes: each role, a staff account without a role, a superuser and an anonymous visitor (None)."""
    people = dict(accounts)
    people["staff"] = get_user_model().objects.create_user("no-role", is_staff=True)
    people["superuser"] = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    people["anonymous"] = None
    return people


@pytest.fixture
def client():
    """A test client that answers a failing view with its 500 instead of raising, so every failure is listed."""
    return Client(raise_request_exception=False)


def request(client, user, address, params=None):
    """GET the address as the user; returns the status code."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(address, params or {}).status_code


@pytest.mark.parametrize("address", [
    "/desk/report/?date=0001-01-01", "/desk/report/?date=9999-12-31", "/desk/continuity/alert/?ministry=abc",
    "/desk/timeline/?ministry=%C2%B2", "/desk/coverage/?ministry=99999999999999999999999",
    "/desk/portfolio/programme/?q=x&p=abc", "/desk/notifications/notification/abc/change/",
    "/desk/jobs/queues/99/",
])
def test_known_server_errors_are_gone(client, demo, visitors, address):
    assert request(client, visitors["superuser"], address) < 500


def test_every_page_every_parameter_every_extreme(client, demo, visitors):
    """As a superuser (who sees every page), each page's parameters one at a time with each extreme value: the
    lists' and desk pages' own, and on the record pages the parameters the admin carries between pages."""
    addresses = desk_addresses(Programme.objects.first().pk, Alert.objects.first().pk)
    failures = []
    client.force_login(visitors["superuser"])
    for address in addresses:
        page = client.get(address)
        assert page.status_code < 500, address
        if re.search(r"/(change|history|delete|add)/$", address):
            keys = ["_changelist_filters", "_popup", "_to_field"]
        else:
            keys = sorted(parameters_on(page.content.decode(errors="replace")) | {"q", "o", "p", "date", "ministry"})
        for key in keys:
            for value in SWEEP:
                status = client.get(address, {key: value}).status_code
                if status >= 500:
                    failures.append(f"{address}?{urlencode({key: value})} → {status}")
    assert not failures, "\n".join(failures[:50])


def test_random_queries_ids_and_roles(client, demo, visitors):
    """Hypothesis: any role, any page, any mix of parameters, and made-up ids in the path."""
    addresses = desk_addresses(Programme.objects.first().pk, Alert.objects.first().pk)
    value = st.one_of(st.sampled_from(EXTREMES), st.text(max_size=40),
                      st.integers(-(2**80), 2**80).map(str), st.dates().map(str))
    params = st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(min_size=1, max_size=12), value, max_size=4)

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(address=st.sampled_from(addresses), who=st.sampled_from(sorted(visitors)), params=params,
           new_id=st.one_of(st.none(), value))
    def probe(address, who, params, new_id):
        if new_id is not None:
            # Put the made-up id where the page's number is (…/12/change/ → …/<id>/change/).
            address = re.sub(r"/\d+/", "/" + quote(new_id, safe="") + "/", address, count=1) if new_id else address
        status = request(client, visitors[who], address, params)
        assert status < 500, f"{who} GET {address}?{urlencode(params)} → {status}"

    probe()
