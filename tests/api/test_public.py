"""The public implementation view: off unless the site turns it on; the recommendations, their coverage and the
programmes marked public, in Dutch and English, as a page, CSV and JSON — and nothing that is not public: no
unpublished programme, no amount unless marked, no person, no alert, no note."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import FundingPeriod, Programme, ProgrammeRecommendation, Recommendation
from programme_tracker.taskforce.models import Decision
from programme_tracker.taskforce.services import record_decision

pytestmark = pytest.mark.django_db
PAGES = ["/public/", "/public/PREV-3/", "/public/recommendations.csv", "/public/recommendations.json"]


@pytest.fixture
def public(settings, demo, accounts):
    """The view on; STOP-IT-NOW public with its money, COSA public without; the others not public."""
    settings.PUBLIC_VIEW = True
    Programme.objects.filter(code="STOP-IT-NOW").update(published=True, money_published=True)
    Programme.objects.filter(code="COSA").update(published=True)
    ProgrammeRecommendation.objects.filter(programme__code="STOP-IT-NOW").update(note="INTERNAL-LINK-NOTE")
    cache.clear()
    return demo


def test_off_by_default(client, demo):
    for page in PAGES:
        assert client.get(page).status_code == 404


def test_the_view_shows_coverage_and_the_public_programmes(client, public):
    page = client.get("/public/").content.decode()
    assert "PREV-3" in page and "POL-1" in page and "not covered" in page
    one = client.get("/public/PREV-3/").content.decode()
    assert "STOP-IT-NOW" in one and "covered, but ending soon" in one
    assert client.get("/public/NOPE-9/").status_code == 404
    rows = client.get("/public/recommendations.csv").content.decode().splitlines()
    assert rows[0].startswith("recommendation,area") and any(row.startswith("PREV-3,") and "STOP-IT-NOW" in row
                                                            for row in rows)
    data = client.get("/public/recommendations.json").json()
    prev3 = next(r for r in data["recommendations"] if r["code"] == "PREV-3")
    assert [p["code"] for p in prev3["programmes"]] == ["STOP-IT-NOW"]
    assert prev3["programmes"][0]["secured_funding_eur"] is not None
    client.post("/public/language/", {"language": "nl", "next": "/public/"})
    dutch = client.get("/public/PREV-3/").content.decode()
    assert '<html lang="nl">' in dutch and "Kabinetsreactie" in dutch


def test_nothing_that_is_not_public_appears(client, public, accounts):
    cosa_amount = FundingPeriod.objects.filter(programme__code="COSA").first().amount
    secret = {
        "unpublished programme": "Online reporting button for children",
        "its code": "REPORT-BUTTON",
        "owner": accounts[roles.COORDINATOR].username,
        "owner's name": "Anna Jansen",
        "demo owner": "a.jansen",
        "an alert's message": Alert.objects.get(rule="underspend").localized_message[:40],
        "a note on a link": "INTERNAL-LINK-NOTE",
        "COSA's amount": f"{cosa_amount:,.2f}",
        "COSA's amount, plain": str(cosa_amount),
        "a programme description": Programme.objects.get(code="COSA").description[:30],
    }
    for page in PAGES:
        text = client.get(page).content.decode()
        for what, value in secret.items():
            assert value not in text, (page, what)


def test_decisions_marked_public_appear_beside_their_recommendations(client, public, accounts):
    coordinator = accounts[roles.COORDINATOR]
    about_programme = record_decision(actor=coordinator, decided_on=timezone.localdate(), kind="continue_funding",
                                      text="Extend STOP-IT-NOW by a year.",
                                      programmes=[Programme.objects.get(code="STOP-IT-NOW")])
    about_recommendation = record_decision(actor=coordinator, decided_on=timezone.localdate(), kind="other",
                                           text="Ask the ministries for a plan.",
                                           recommendations=[Recommendation.objects.get(code="POL-1")])
    record_decision(actor=coordinator, decided_on=timezone.localdate(), kind="other", text="INTERNAL DECISION",
                    recommendations=[Recommendation.objects.get(code="POL-1")])
    Decision.objects.filter(pk__in=[about_programme.pk, about_recommendation.pk]).update(public=True)
    cache.clear()
    prev3 = client.get("/public/PREV-3/").content.decode()
    assert about_programme.number in prev3 and "Extend STOP-IT-NOW by a year." in prev3
    pol1 = client.get("/public/POL-1/").content.decode()
    assert "Ask the ministries for a plan." in pol1 and "INTERNAL DECISION" not in pol1
    data = client.get("/public/recommendations.json").json()
    assert [d["number"] for d in next(r for r in data["recommendations"] if r["code"] == "POL-1")["decisions"]] \
        == [about_recommendation.number]
    for page in PAGES:
        assert "INTERNAL DECISION" not in client.get(page).content.decode()


def test_the_language_switch_works_for_every_visitor_of_a_cached_page(public):
    from django.test import Client

    for visitor in (Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)):
        page = visitor.get("/public/PREV-3/").content.decode()  # the second gets the first one's cached page
        assert 'action="/public/language/"' in page
        switched = visitor.post("/public/language/", {"language": "nl", "next": "/public/PREV-3/"})
        assert switched.status_code == 302 and switched["Location"] == "/public/PREV-3/"
        assert '<html lang="nl">' in visitor.get("/public/PREV-3/").content.decode()
    elsewhere = Client().post("/public/language/", {"language": "nl", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/public/"


def test_the_downloads_give_codes_the_same_in_every_language(client, public):
    english = client.get("/public/recommendations.json").json()
    dutch = client.get("/public/recommendations.json", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert english == dutch
    prev3 = next(r for r in english["recommendations"] if r["code"] == "PREV-3")
    assert (prev3["area"], prev3["coverage"]) == ("prevention", "at_risk")
    assert prev3["government_response"] in ("accepted", "partly_accepted", "pending", "not_accepted")
    programme = prev3["programmes"][0]
    assert programme["status"] == "active" and programme["secured_funding_eur"].endswith(".00")
    rows = client.get("/public/recommendations.csv", HTTP_ACCEPT_LANGUAGE="nl").content.decode().splitlines()
    assert any(row.startswith("PREV-3,prevention,") for row in rows)
