"""Finding things: one search across the register, each kind for those who may view it; and saved views, a page
with its filters under a person's own name, in their sidebar."""

import pytest
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.accounts.models import SavedView
from programme_tracker.accounts.services import MOST_SAVED_VIEWS
from tests.conftest import ANONYMOUS, NO_ROLE

pytestmark = pytest.mark.django_db
SEARCH = "/desk/find/"
SAVED = "/desk/saved-views/"


def test_one_search_finds_each_kind_and_links_to_where_it_opens(client, demo, login):
    login(roles.COORDINATOR)
    response = client.get(SEARCH, {"q": "stop"})
    groups = {group.kind: group for group in response.context["groups"]}
    assert set(groups) == {"programmes", "organisations", "recommendations", "alerts", "decisions"}
    programme = groups["programmes"].hits[0]
    assert programme.title.startswith("STOP-IT-NOW — ") and programme.link.startswith("/desk/programmes/")
    assert groups["alerts"].total >= 5 and all(hit.link.startswith("/desk/continuity/alert/")
                                              for hit in groups["alerts"].hits)
    # A decision by its number, as people cite it.
    by_number = client.get(SEARCH, {"q": "TF-2026-001"}).context["groups"]
    assert [hit.title.split(" — ")[0] for g in by_number if g.kind == "decisions" for hit in g.hits] == ["TF-2026-001"]
    # The header's box is on every page and sends here.
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert 'id="header-search"' in page and f'action="{SEARCH}"' in page


def test_more_than_the_first_few_link_to_the_whole_list(client, demo, login):
    login(roles.COORDINATOR)
    groups = {g.kind: g for g in client.get(SEARCH, {"q": "e"}).context["groups"]}
    recommendations = groups["recommendations"]
    assert len(recommendations.hits) == 10 and recommendations.total > 10
    assert recommendations.all_link == "/desk/portfolio/recommendation/?q=e"
    assert client.get(recommendations.all_link).status_code == 200


@pytest.mark.parametrize(("role", "kinds"), [
    (roles.MONITOR, {"programmes", "organisations", "recommendations", "alerts", "decisions"}),
    (NO_ROLE, set()),
])
def test_each_kind_only_for_those_who_may_view_it(client, demo, login, role, kinds):
    login(role)
    response = client.get(SEARCH, {"q": "stop"})
    assert response.status_code == 200
    assert {g.kind for g in response.context["groups"]} == kinds


def test_a_visitor_is_sent_to_log_in(client, login):
    login(ANONYMOUS)
    assert client.get(SEARCH, {"q": "stop"}).status_code == 302
    assert client.post(SAVED, {"name": "x", "path": "/desk/inbox/"}).status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("term", ["x" * 10_000, "%", "_", "\\", "'; DROP TABLE x; --", "\x00\x1b", "   ", "١٢٣"])
def test_any_term_is_answered(client, demo, login, term):
    login(roles.COORDINATOR)
    assert client.get(SEARCH, {"q": term}).status_code == 200


def test_the_search_reads_a_few_queries_per_kind(client, demo, login, django_assert_max_num_queries):
    login(roles.COORDINATOR)
    client.get(SEARCH, {"q": "a"})
    with django_assert_max_num_queries(40):
        client.get(SEARCH, {"q": "a"})


def test_a_saved_view_comes_back_in_the_sidebar_and_goes_when_deleted(client, demo, login):
    person = login(roles.COORDINATOR)
    path = "/desk/portfolio/programme/?lead_ministry__id__exact=1&funding_ends=365"
    response = client.post(SAVED, {"name": "  My ministry,   ending this year ", "path": path})
    assert response.status_code == 302 and response["Location"] == path
    view = SavedView.objects.get(user=person)
    assert view.name == "My ministry, ending this year"
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert "My ministry, ending this year" in page and path.replace("&", "&amp;") in page
    # The same name again replaces it.
    client.post(SAVED, {"name": "My ministry, ending this year", "path": "/desk/inbox/?mine=1"})
    assert list(SavedView.objects.filter(user=person).values_list("path", flat=True)) == ["/desk/inbox/?mine=1"]
    # Someone else cannot delete it.
    other = login(roles.MONITOR)
    client.post(SAVED, {"delete": str(view.pk)})
    assert SavedView.objects.filter(pk=view.pk).exists() and other != person
    login(roles.COORDINATOR)
    client.post(SAVED, {"delete": str(view.pk)})
    assert not SavedView.objects.filter(pk=view.pk).exists()
    for forged in ("abc", "99999999999999999999999", ""):
        assert client.post(SAVED, {"delete": forged}).status_code == 302


@pytest.mark.parametrize(("name", "path"), [
    ("", "/desk/inbox/"), ("x" * 81, "/desk/inbox/"), ("elsewhere", "https://evil.example/desk/"),
    ("elsewhere", "//evil.example/desk/"), ("elsewhere", "/desk\\@evil.example"), ("outside", "/i18n/setlang/"),
    ("control", "/desk/inbox/\r\nSet-Cookie: x=1"), ("long", "/desk/?" + "a" * 600),
])
def test_what_is_not_a_view_of_the_desk_is_refused_and_nothing_saved(client, login, name, path):
    login(roles.COORDINATOR)
    response = client.post(SAVED, {"name": name, "path": path})
    assert response.status_code == 302 and not response["Location"].startswith(("http", "//"))
    assert not SavedView.objects.exists()


def test_a_person_keeps_at_most_so_many_saved_views(client, login):
    person = login(roles.COORDINATOR)
    SavedView.objects.bulk_create(SavedView(user=person, name=f"view {n}", path="/desk/inbox/")
                                  for n in range(MOST_SAVED_VIEWS))
    client.post(SAVED, {"name": "one more", "path": "/desk/inbox/"})
    assert not SavedView.objects.filter(name="one more").exists()
    page = client.get(SAVED).content.decode()
    assert f"You have {MOST_SAVED_VIEWS} saved views; delete one first." in page


def test_a_saved_views_name_is_text_in_the_sidebar(client, login):
    login(roles.COORDINATOR)
    client.post(SAVED, {"name": '<i x-data x-init="alert(1)">z</i>', "path": "/desk/inbox/"})
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert "&lt;i x-data" in page and '<i x-data x-init="alert(1)">' not in page


@pytest.mark.parametrize("path", ["/desk/../evil", "/desk/%2e%2e/evil", "/desk/%2F%2Fevil.example", "/desk/./x",
                                  "/desk/%0d%0aSet-Cookie:x", "/desk/%5cevil"])
def test_an_address_that_leaves_the_desk_once_resolved_is_refused(client, login, path):
    login(roles.COORDINATOR)
    client.post(SAVED, {"name": "v", "path": path})
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("name", ["a\x00b", "\u202eevil", "zero\u200bwidth"])
def test_a_name_with_control_or_formatting_characters_is_refused(client, login, name):
    login(roles.COORDINATOR)
    client.post(SAVED, {"name": name, "path": "/desk/inbox/"})
    assert not SavedView.objects.exists()


def test_unfolds_own_search_still_answers_at_its_address(client, login):
    login(roles.COORDINATOR)
    answer = client.get("/desk/search/", {"s": "prog"})
    assert answer.status_code == 200 and b"search-page-input" not in answer.content


def test_a_member_neither_reads_nor_finds_the_amounts_an_alert_quotes(client, login, demo):
    from programme_tracker.continuity.models import Alert

    login(roles.TASK_FORCE_MEMBER)
    underspend = Alert.objects.get(rule="underspend")
    inbox = client.get(reverse("desk:inbox")).content.decode()
    row = inbox[inbox.index(f'id="alert-{underspend.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "310,000.00" not in row and "…" in row
    assert "310,000.00" not in client.get(f"/desk/continuity/alert/{underspend.pk}/change/").content.decode()
    assert not [g for g in client.get(SEARCH, {"q": "EUR"}).context["groups"] if g.kind == "alerts"]
    login(roles.MONITOR)  # who may read money records reads them
    assert "310,000.00" in client.get(reverse("desk:inbox")).content.decode()
