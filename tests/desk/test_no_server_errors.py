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
from programme_tracker.taskforce.models import Meeting

# The values most likely to break a parser, tried on every parameter of every page.
SWEEP = ["abc", "²", "9" * 30, "0001-01-01", "9999-12-31", "1e309", "\x00", "a" * 3000, "-1", "1,2"]
# On a record's pages the admin only carries its parameters along (a list's query string, a flag, a field name)
# and parses no number or date from them: the values that break text handling are enough there.
CARRIED = ["abc", "²", "9" * 30, "\x00", "a" * 3000]
EXTREMES = SWEEP + ["", "0", "٣", "-" + "9" * 25, "2026-02-30", "NaN", "inf", "%", "%%", "'", '"', "<b>", "__", "[]",
                    "{}", "null", "true", "2026-13-01", "31-12-2026", "2026-W05", "../..", "\u202e", " ", "0x10", "1.5"]
# Parameters the admin and the desk read, beside those found in the pages' own links and forms.
KNOWN_KEYS = ["q", "o", "p", "e", "all", "page", "date", "ministry", "area", "status", "view", "next",
              "_changelist_filters", "_to_field", "_popup", "since", "zoom", "start", "kind", "end", "format",
              "language", "quarter"]
# The desk's own pages, by their URL names; one sweep test each, so the workers of make test share them out.
DESK_PAGES = ["desk:dashboard", "desk:ending", "desk:timeline", "desk:coverage", "desk:inbox", "desk:report",
              "desk:programme",
              "desk:inbox-act", "finance-budget-against-actual", "finance-import", "finance-export", "django_rq:home",
              "admin:index", "admin:taskforce_meeting_invitation", "desk:task-force", "desk:meeting",
              "desk:meeting-document", "desk:progress", "desk:search", "desk:saved-views"]
# Every model of the desk, by its admin's name (django-rq's stand-in for its job pages is django_rq:home).
DESK_MODELS = sorted(f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry
                     if model._meta.managed)


def desk_address(name: str) -> str:
    """The address of one of the desk's own pages, with a real record where the page needs one."""
    args = {"desk:programme": [Programme.objects.order_by("pk").first().pk], "finance-export": ["payments"],
            "desk:inbox-act": [Alert.objects.order_by("pk").first().pk, "dismiss"],
            "admin:taskforce_meeting_invitation": [Meeting.objects.order_by("pk").first().pk],
            "desk:meeting": [Meeting.objects.order_by("pk").first().pk],
            "desk:meeting-document": [Meeting.objects.order_by("pk").first().pk, "minutes", "pdf"]}.get(name, [])
    return reverse(name, args=args)


def model_addresses(model: str) -> list[str]:
    """A model's list and add page and, for its first record, its change, history and delete pages."""
    prefix = f"admin:{model}"
    addresses = [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    registered = next(m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == model)
    obj = registered._default_manager.order_by("pk").first()
    if obj is not None:
        addresses += [reverse(f"{prefix}_{view}", args=[obj.pk]) for view in ("change", "history", "delete")]
    return addresses


def desk_addresses() -> list[str]:
    """Every page of the desk."""
    return [desk_address(name) for name in DESK_PAGES] + [a for model in DESK_MODELS for a in model_addresses(model)]


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


def sweep(client, addresses: list[str]) -> list[str]:
    """Each page's parameters one at a time with each extreme value: the lists' and desk pages' own with SWEEP, and
    on a record's pages the parameters the admin carries between pages with CARRIED. Returns the requests that
    failed."""
    failures = []
    for address in addresses:
        page = client.get(address)
        assert page.status_code < 500, address
        if re.search(r"/(change|history|delete|add)/$", address):
            keys, values = ["_changelist_filters", "_popup", "_to_field"], CARRIED
        else:
            keys = sorted(parameters_on(page.content.decode(errors="replace")) | {"q", "o", "p", "date", "ministry"})
            values = SWEEP
        for key in keys:
            for value in values:
                status = client.get(address, {key: value}).status_code
                if status >= 500:
                    failures.append(f"{address}?{urlencode({key: value})} → {status}")
    return failures


@pytest.mark.sweep
@pytest.mark.parametrize("name", DESK_PAGES)
def test_every_desk_page_every_parameter_every_extreme(client, demo, visitors, name):
    """The desk's own pages, as a superuser (who sees every page)."""
    client.force_login(visitors["superuser"])
    failures = sweep(client, [desk_address(name)])
    assert not failures, "\n".join(failures[:50])


@pytest.mark.sweep
@pytest.mark.parametrize("model", DESK_MODELS)
def test_every_admin_page_every_parameter_every_extreme(client, demo, visitors, model):
    """A model's admin pages, as a superuser."""
    client.force_login(visitors["superuser"])
    failures = sweep(client, model_addresses(model))
    assert not failures, "\n".join(failures[:50])


@pytest.mark.sweep
def test_random_queries_ids_and_roles(client, demo, visitors):
    """Hypothesis: any role, any page, any mix of parameters, and made-up ids in the path."""
    addresses = desk_addresses()
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
