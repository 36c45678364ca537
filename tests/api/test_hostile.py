"""What an attacker's probe of the API found, each kept from coming back: a delete that takes along what the person
may not delete, and inputs that made a 500 or an answer that was not JSON."""

import base64
import json

import pytest
from django.core.cache import cache

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_token
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import FundingPeriod, Programme

pytestmark = pytest.mark.django_db


def bearer_of(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'probe', 'write', 1)[1]}"}


def test_a_coordinator_cannot_delete_money_records_by_deleting_their_programme(client, demo, accounts):
    programme = Programme.objects.filter(funding_periods__isnull=False).first()
    answer = client.delete(f"/api/programmes/{programme.pk}/", HTTP_IF_MATCH="*",
                           **bearer_of(accounts[roles.COORDINATOR]))
    assert answer.status_code == 403 and "funding periods" in answer.json()["detail"]
    assert Programme.objects.filter(pk=programme.pk).exists() and FundingPeriod.objects.filter(
        programme=programme).exists()


@pytest.mark.parametrize("query", [
    {"cursor": base64.b64encode(b"p=abc").decode()},
    {"cursor": base64.b64encode(b"p=1e309").decode(), "ordering": "planned_end"},
    {"cursor": base64.b64encode(b"p=\x00").decode(), "ordering": "-planned_end"},
])
def test_a_hand_made_cursor_is_a_404(client, demo, accounts, query):
    answer = client.get("/api/programmes/", query, **bearer_of(accounts[roles.MONITOR]))
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"


@pytest.mark.parametrize("resource", ["organisations", "programmes", "funding-periods", "alerts", "meetings"])
@pytest.mark.parametrize("tail", ["%0B", "%20", "%0A", "+1", "%D9%A1"])
def test_a_record_id_is_digits_only(client, demo, accounts, resource, tail):
    """Found by Schemathesis: /api/organisations/5%0B/ answered organisation 5, since int() reads "5\v" as 5."""
    answer = client.get(f"/api/{resource}/1{tail}/", **bearer_of(accounts[roles.ADMINISTRATOR]))
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"


@pytest.mark.parametrize("moment", ["0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_out_of_range_is_a_400(client, demo, accounts, moment):
    answer = client.get("/api/programmes/", {"changed_since": moment}, **bearer_of(accounts[roles.MONITOR]))
    assert answer.status_code == 400 and "changed_since" in answer.json()


@pytest.mark.parametrize("body", [
    '{"status": "\\ud800"}',  # a lone surrogate: not Unicode
    '{"\\ud800": "x"}',
    '{"name": ' + "[" * 3000 + "]" * 3000 + "}",  # nesting
    '{"name": ' + "[" * 21 + "]" * 21 + "}",
])
def test_bodies_that_are_no_sound_json_are_a_400(client, demo, accounts, body):
    programme = Programme.objects.get(code="COSA")
    answer = client.patch(f"/api/programmes/{programme.pk}/", body, content_type="application/json",
                          HTTP_IF_MATCH="*", **bearer_of(accounts[roles.COORDINATOR]))
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    bulk = client.post("/api/payments/bulk/", '{"dry_run": true, "rows": [{"\\ud800": "x"}]}',
                       content_type="application/json", **bearer_of(accounts[roles.FINANCE_OFFICER]))
    assert bulk.status_code == 400


def test_a_body_too_large_and_other_methods_answer_json(client, demo, accounts):
    big = json.dumps({"description": "x" * 3_000_000})
    cosa = Programme.objects.get(code="COSA")
    answer = client.patch(f"/api/programmes/{cosa.pk}/", big, content_type="application/json", HTTP_IF_MATCH="*",
                          **bearer_of(accounts[roles.COORDINATOR]))
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    feed = f"/api/calendar/{create_token(accounts[roles.COORDINATOR], 'c', 'calendar', 1)[1]}.ics"
    assert client.head(feed).status_code == 200
    assert client.post(feed).status_code == 405  # not the CSRF page


@pytest.mark.parametrize("amount", ["1_000", " 1000", "\u0661\u0660\u0660\u0660", "1e3", True, "NaN"])
def test_amounts_are_written_with_the_digits_0_to_9(client, demo, accounts, amount):
    answer = client.post("/api/commitments/", {"funding_period": "STOP-IT-NOW-2025", "reference": "ODD",
                                               "decided_on": "2026-01-05", "amount": amount},
                         content_type="application/json", **bearer_of(accounts[roles.FINANCE_OFFICER]))
    assert answer.status_code == 400 and "amount" in answer.json()


def test_minus_zero_is_zero(client, demo, accounts):
    answer = client.post("/api/commitments/", {"funding_period": "STOP-IT-NOW-2025", "reference": "ZERO",
                                               "decided_on": "2026-01-05", "amount": "-0"},
                         content_type="application/json", **bearer_of(accounts[roles.FINANCE_OFFICER]))
    assert answer.status_code == 201 and answer.json()["amount"] == "0.00"


def test_a_risk_is_not_accepted_beyond_the_years_the_register_holds(client, demo, accounts):
    alert = Alert.objects.filter(state="open").first()
    answer = client.post(f"/api/alerts/{alert.pk}/dismiss/", {"reason": "x", "accepted_until": "9999-12-31"},
                         content_type="application/json", **bearer_of(accounts[roles.COORDINATOR]))
    assert answer.status_code == 400 and "accepted_until" in answer.json()


def test_reassigning_an_unknown_alert_says_nothing_about_user_names(client, demo, accounts):
    answer = client.post("/api/alerts/999999/reassign/", {"assignee": "nobody-here"},
                         content_type="application/json", **bearer_of(accounts[roles.COORDINATOR]))
    assert answer.status_code == 404


def test_the_public_csv_does_not_run_formulas(client, demo, settings):
    settings.PUBLIC_VIEW = True
    Programme.objects.filter(code="STOP-IT-NOW").update(published=True, name='=HYPERLINK("http://x.invalid","y")')
    cache.clear()
    text = client.get("/public/recommendations.csv").content.decode()
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text
