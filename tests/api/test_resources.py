"""The API's other resources: the links to recommendations, commitments, tranches and reports due (written with
If-Match like programmes), one's own notifications, and the task force's meetings, decisions and actions."""

import pytest
from django.contrib.auth import get_user_model

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_token
from programme_tracker.finance.models import Commitment
from programme_tracker.notifications.models import Notification
from programme_tracker.portfolio.models import Organisation, ProgrammeRecommendation, Recommendation
from programme_tracker.taskforce.models import ActionItem, Decision

pytestmark = pytest.mark.django_db


def bearer_of(user, scope="write") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'script', scope, 1)[1]}"}


def test_a_commitment_is_written_with_its_etag_and_its_history_names_the_client(client, demo, accounts):
    finance = bearer_of(accounts[roles.FINANCE_OFFICER])
    made = client.post("/api/commitments/", {"funding_period": "STOP-IT-NOW-2025", "reference": "API-1",
                                             "decided_on": "2026-01-05", "amount": "1000.00"},
                       content_type="application/json", **finance)
    assert made.status_code == 201, made.json()
    record = Commitment.objects.get(reference="API-1")
    assert record.history.get().history_user == accounts[roles.FINANCE_OFFICER]
    url = f"/api/commitments/{record.pk}/"
    assert client.patch(url, {"amount": "1200.00"}, content_type="application/json", **finance).status_code == 428
    etag = client.get(url, **finance)["ETag"]
    assert client.patch(url, {"amount": "1200.00"}, content_type="application/json", HTTP_IF_MATCH=etag,
                        **finance).status_code == 200
    stale = client.patch(url, {"amount": "1300.00"}, content_type="application/json", HTTP_IF_MATCH=etag, **finance)
    assert stale.status_code == 412
    record.refresh_from_db()
    assert str(record.amount) == "1200.00"
    twice = client.post("/api/commitments/", {"funding_period": "STOP-IT-NOW-2025", "reference": "API-1",
                                              "decided_on": "2026-01-05", "amount": "1.00"},
                        content_type="application/json", **finance)
    assert twice.status_code == 400 and "non_field_errors" in twice.json() or "reference" in twice.json()
    coordinator = bearer_of(accounts[roles.COORDINATOR])
    assert client.post("/api/commitments/", {}, content_type="application/json", **coordinator).status_code == 403


def test_recommendation_links_by_code(client, demo, accounts):
    coordinator = bearer_of(accounts[roles.COORDINATOR])
    made = client.post("/api/recommendation-links/", {"programme": "COSA", "recommendation": "POL-1", "note": "x"},
                       content_type="application/json", **coordinator)
    assert made.status_code == 201, made.json()
    listed = client.get("/api/recommendation-links/", {"programme": "COSA"}, **coordinator).json()["results"]
    assert {"programme": "COSA", "recommendation": "POL-1"}.items() <= next(
        row for row in listed if row["recommendation"] == "POL-1").items()
    for wrong in ({"programme": 7, "recommendation": "POL-1"}, {"programme": "NOPE", "recommendation": "POL-1"}):
        answer = client.post("/api/recommendation-links/", wrong, content_type="application/json", **coordinator)
        assert answer.status_code == 400 and "programme" in answer.json()
    assert ProgrammeRecommendation.objects.filter(programme__code="COSA", recommendation__code="POL-1").count() == 1


def test_notifications_are_ones_own(client, demo, accounts):
    owner = get_user_model().objects.filter(notifications__isnull=False).first()
    assert owner is not None, "the demo notifies its accounts"
    headers = bearer_of(owner)
    listed = client.get("/api/notifications/", {"page_size": 500}, **headers).json()["results"]
    assert {row["id"] for row in listed} == set(Notification.objects.filter(recipient=owner).values_list(
        "pk", flat=True))
    other = Notification.objects.exclude(recipient=owner).first()
    if other is not None:
        assert client.get(f"/api/notifications/{other.pk}/", **headers).status_code == 404
    first = listed[0]["id"]
    read = client.post(f"/api/notifications/{first}/read/", **headers)
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.post(f"/api/notifications/{first}/read/").status_code in (401, 403)  # no token: refused, no 500


def test_the_task_force_records_read_with_their_subjects(client, demo, accounts):
    headers = bearer_of(accounts[roles.MONITOR], "read")
    decisions = client.get("/api/decisions/", {"page_size": 500}, **headers).json()["results"]
    assert {row["number"] for row in decisions} == {d.number for d in Decision.objects.all()}
    with_programmes = next(row for row in decisions if row["programmes"])
    assert all(isinstance(code, str) for code in with_programmes["programmes"])
    actions = client.get("/api/action-items/", {"state": "open"}, **headers).json()["results"]
    assert {row["what"] for row in actions} == set(ActionItem.objects.filter(state="open").values_list(
        "what", flat=True))
    meetings = client.get("/api/meetings/", {"ordering": "-starts_at"}, **headers)
    assert meetings.status_code == 200 and meetings.json()["results"]
    writer = bearer_of(accounts[roles.COORDINATOR])
    assert client.post("/api/decisions/", {}, content_type="application/json", **writer).status_code == 405


def test_an_address_no_route_matches_is_a_json_404(client, accounts):
    answer = client.get("/api/alerts/0.5/acknowledge/", **bearer_of(accounts[roles.MONITOR]))
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert "<html" in client.get("/no-such-page/").content.decode()  # elsewhere the site keeps its page


def test_the_government_response_is_written_with_the_recommendations_etag(client, demo, accounts):
    headers = bearer_of(accounts[roles.COORDINATOR])
    url = f"/api/recommendations/{Recommendation.objects.get(code='POL-3').pk}/"
    change = {"government_response": "accepted", "response_note": "Cabinet letter of 2026."}
    assert client.patch(url, change, content_type="application/json", **headers).status_code == 428
    etag = client.get(url, **headers)["ETag"]
    assert client.patch(url, change, content_type="application/json", HTTP_IF_MATCH=etag, **headers).status_code \
        == 200
    stale = client.patch(url, {"response_note": "Overwritten?"}, content_type="application/json",
                         HTTP_IF_MATCH=etag, **headers)
    assert stale.status_code == 412
    assert Recommendation.objects.get(code="POL-3").response_note == "Cabinet letter of 2026."


def test_two_desk_editors_of_one_organisation_do_not_overwrite_each_other(client, login, base):
    login(roles.COORDINATOR)
    organisation = Organisation.objects.get(short_name="VWS")
    url = f"/desk/portfolio/organisation/{organisation.pk}/change/"
    form = {"name": organisation.name, "short_name": "VWS", "kind": "ministry", "active": "on", "version": "0"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, {**form, "name": "Someone else's name"})
    assert again.status_code == 200 and "changed" in again.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).name == organisation.name
