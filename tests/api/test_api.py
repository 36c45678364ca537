"""The REST API: personal tokens made in the desk, the desk's permissions per role, field errors as JSON, history
under the token's owner, and optimistic concurrency (ETag, If-Match: 428 without, 412 when stale)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.accounts.models import ApiToken
from programme_tracker.accounts.services import create_token, token_digest
from programme_tracker.api.urls import router
from programme_tracker.continuity.models import Alert
from programme_tracker.core.models import AuditEvent
from programme_tracker.portfolio.models import Programme
from tests.accounts.test_permissions import COLUMNS, allowed
from tests.conftest import ANONYMOUS, NO_ROLE

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(accounts):
    """A read-and-write token of the coordinator's."""
    return create_token(accounts[roles.COORDINATOR], "script", "write", 30)[1]


def test_a_token_made_in_the_desk_is_shown_once_and_lists_programmes(client, login, demo):
    person = login(roles.COORDINATOR)
    page = client.post("/desk/api-tokens/", {"name": "Finance system", "scope": "read", "days": "90"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = page.context["created"]
    assert token.startswith("pt_") and token in page.content.decode()
    record = ApiToken.objects.get(user=person)
    assert record.digest == token_digest(token) and token not in record.prefix + record.digest
    assert token not in client.get("/desk/api-tokens/").content.decode()  # shown once
    assert AuditEvent.objects.filter(kind="api-token", user=person).exists()
    client.logout()
    answer = client.get("/api/programmes/", {"ordering": "code"}, **bearer(token))
    assert answer.status_code == 200
    codes = [row["code"] for row in answer.json()["results"]]
    assert codes == sorted(Programme.objects.values_list("code", flat=True))
    stop = next(row for row in answer.json()["results"] if row["code"] == "STOP-IT-NOW")
    assert stop["secured_until"] and stop["lead_ministry"] == "VWS"


@pytest.mark.parametrize(("name", "scope", "days", "field"), [
    ("", "read", "30", "name"), ("x" * 81, "read", "30", "name"), ("ok", "admin", "30", "scope"),
    ("ok", "read", "0", "days"), ("ok", "read", "366", "days"), ("ok", "read", "abc", "days"),
])
def test_a_token_form_with_a_mistake_names_the_field_and_makes_nothing(client, login, name, scope, days, field):
    login(roles.COORDINATOR)
    page = client.post("/desk/api-tokens/", {"name": name, "scope": scope, "days": days})
    assert page.status_code == 400 and field in page.context["errors"]
    assert not ApiToken.objects.exists()


def test_expired_revoked_unknown_and_malformed_tokens_are_refused(client, accounts, token):
    person = accounts[roles.COORDINATOR]
    assert client.get("/api/programmes/", **bearer(token)).status_code == 200
    for wrong in ("pt_nonsense", "x" * 5000, "é"):
        assert client.get("/api/programmes/", **bearer(wrong)).status_code == 401
    assert client.get("/api/programmes/", HTTP_AUTHORIZATION="Bearer").status_code == 401
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/programmes/", **bearer(token)).status_code == 401
    old, fresh = ApiToken.objects.get(), create_token(person, "second", "write", 1)[1]
    client.force_login(person)
    client.post("/desk/api-tokens/", {"revoke": str(ApiToken.objects.get(name="second").pk)})
    client.logout()
    assert client.get("/api/programmes/", **bearer(fresh)).status_code == 401
    assert old.revoked_at is None  # only the one revoked


def test_a_read_only_token_reads_and_writes_nothing(client, accounts, programme):
    token = create_token(accounts[roles.COORDINATOR], "read", "read", 30)[1]
    url = f"/api/programmes/{programme.pk}/"
    etag = client.get(url, **bearer(token))["ETag"]
    answer = client.patch(url, {"name": "Renamed"}, content_type="application/json", HTTP_IF_MATCH=etag,
                          **bearer(token))
    assert answer.status_code == 403
    assert Programme.objects.get(pk=programme.pk).name == "Helpline"


def test_writes_need_the_current_etag(client, token, programme, accounts):
    url = f"/api/programmes/{programme.pk}/"
    first = client.get(url, **bearer(token))
    etag = first["ETag"]
    assert etag == f'"{programme.version}"' and first.json()["version"] == programme.version
    change = {"name": "Helpline for children"}
    missing = client.patch(url, change, content_type="application/json", **bearer(token))
    assert missing.status_code == 428
    done = client.patch(url, change, content_type="application/json", HTTP_IF_MATCH=etag, **bearer(token))
    assert done.status_code == 200 and done["ETag"] != etag and done.json()["name"] == "Helpline for children"
    # The same stale ETag again: someone (here: we) changed it since.
    stale = client.put(url, {**first.json(), "name": "Stale"}, content_type="application/json",
                       HTTP_IF_MATCH=etag, **bearer(token))
    assert stale.status_code == 412
    saved = Programme.objects.get(pk=programme.pk)
    assert saved.name == "Helpline for children"
    assert saved.history.first().history_user == accounts[roles.COORDINATOR]  # history under the token's owner


def test_the_models_rules_come_back_as_field_errors_and_nothing_is_saved(client, token, programme):
    url = f"/api/programmes/{programme.pk}/"
    etag = client.get(url, **bearer(token))["ETag"]
    answer = client.patch(url, {"planned_start": "2027-01-01", "planned_end": "2026-01-01"},
                          content_type="application/json", HTTP_IF_MATCH=etag, **bearer(token))
    assert answer.status_code == 400 and "planned_end" in answer.json()
    assert Programme.objects.get(pk=programme.pk).planned_end is None
    bad_code = client.post("/api/programmes/", {"code": "bad code!", "name": "x", "area": "nowhere"},
                           content_type="application/json", **bearer(token))
    assert bad_code.status_code == 400 and {"code", "area"} <= set(bad_code.json())


# GET the list, PATCH a programme (with its ETag), acknowledge an alert: what each visitor gets.
POLICY = [
    (roles.COORDINATOR, 200, 200, 200),
    (roles.FINANCE_OFFICER, 200, 403, 200),
    (roles.MONITOR, 200, 403, 403),
    (roles.TASK_FORCE_MEMBER, 200, 403, 403),
    (roles.ADMINISTRATOR, 200, 200, 200),
    (NO_ROLE, 403, 403, 403),
    (ANONYMOUS, 403, 403, 403),
]


@pytest.mark.parametrize(("role", "read", "write", "act"), POLICY)
def test_the_roles_permissions_hold_over_the_api(client, login, demo, role, read, write, act):
    programme = Programme.objects.get(code="COSA")
    alert = Alert.objects.filter(state="open").first()
    user = login(role)
    headers = {}
    if user is not None:
        client.logout()
        headers = bearer(create_token(user, "t", "write", 1)[1])
    assert client.get("/api/programmes/", **headers).status_code == (401 if role == ANONYMOUS else read)
    etag = f'"{programme.version}"'
    patched = client.patch(f"/api/programmes/{programme.pk}/", {"description": "x"}, content_type="application/json",
                           HTTP_IF_MATCH=etag, **headers)
    assert patched.status_code == (401 if role == ANONYMOUS else write)
    acted = client.post(f"/api/alerts/{alert.pk}/acknowledge/", **headers)
    assert acted.status_code == (401 if role == ANONYMOUS else act)


def test_filters_secured_until_and_changed_since(client, token, demo):
    today = timezone.localdate()
    soon = client.get("/api/programmes/", {"secured_until_before": (today + timedelta(days=60)).isoformat()},
                      **bearer(token)).json()["results"]
    assert {row["code"] for row in soon} == {"LOW-RISK-PILOT", "STOP-IT-NOW", "REPORT-BUTTON"}
    assert all(row["secured_until"] <= (today + timedelta(days=60)).isoformat() for row in soon)
    later = timezone.now() + timedelta(minutes=1)
    assert client.get("/api/programmes/", {"changed_since": later.isoformat()}, **bearer(token)).json()["results"] \
        == []
    expanded = client.get("/api/programmes/", {"expand": "funding_periods", "area": "prevention"}, **bearer(token))
    assert all("funding_periods" in row for row in expanded.json()["results"])
    for wrong in ({"secured_until_before": "tomorrow"}, {"changed_since": "2026-13-01"}, {"area": "nowhere"},
                  {"cursor": "garbage"}, {"ordering": "password"}, {"page_size": "-5"}):
        answer = client.get("/api/programmes/", wrong, **bearer(token))
        assert answer.status_code == (404 if "cursor" in wrong else 400), wrong
        assert set(answer.json()) <= {*wrong, "detail"}, answer.json()  # the parameter named
    assert client.get("/api/organisations/", {"active": "maybe"}, **bearer(token)).status_code == 400
    assert client.get("/api/budget-lines/", {"fiscal_year": "2027.5"}, **bearer(token)).status_code == 400
    assert client.get("/api/budget-lines/", {"fiscal_year": "", "ordering": "-fiscal_year"},
                      **bearer(token)).status_code == 200  # an empty filter is no filter


def test_the_list_reads_as_many_queries_for_more_programmes(client, token, demo, django_assert_max_num_queries):
    client.get("/api/programmes/", {"expand": "funding_periods"}, **bearer(token))
    with django_assert_max_num_queries(12):
        client.get("/api/programmes/", {"expand": "funding_periods"}, **bearer(token))


def test_alert_actions_go_through_the_services(client, token, demo, accounts):
    alert = Alert.objects.filter(state="open").first()
    answer = client.post(f"/api/alerts/{alert.pk}/dismiss/", {"reason": ""}, content_type="application/json",
                         **bearer(token))
    assert answer.status_code == 400 and "reason" in answer.json()
    answer = client.post(f"/api/alerts/{alert.pk}/reassign/", {"assignee": "nobody-here"},
                         content_type="application/json", **bearer(token))
    assert answer.status_code == 400 and "assignee" in answer.json()
    answer = client.post(f"/api/alerts/{alert.pk}/acknowledge/", **bearer(token))
    assert answer.status_code == 200 and answer.json()["state"] == "acknowledged"
    assert alert.events.filter(kind="acknowledged", actor=accounts[roles.COORDINATOR]).exists()


def test_the_schema_and_its_pages_are_served_from_the_site(client, login):
    login(roles.MONITOR)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/programmes/", "/api/programmes/{id}/", "/api/alerts/{id}/acknowledge/"} <= set(paths)
    # A versioned record's writes say they need If-Match; reads do not.
    for method in ("put", "patch", "delete"):
        header = [p for p in paths["/api/programmes/{id}/"][method]["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in header] == [("If-Match", True)], method
    assert not [p for p in paths["/api/programmes/{id}/"]["get"]["parameters"] if p["in"] == "header"]
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def lists() -> dict[str, str]:
    """Every list of the API (from its router) and the model whose view permission opens it."""
    return {f"/api/{prefix}/": viewset.queryset.model._meta.label_lower for prefix, viewset, _ in router.registry}


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR, roles.TASK_FORCE_MEMBER,
                                  roles.ADMINISTRATOR, NO_ROLE, ANONYMOUS])
def test_every_api_address_per_role(client, login, demo, role):
    """The permission policy table (tests/accounts/test_permissions.py) over the API: a role reads each list
    whose model the table lets it view, and no other; staff without a role only the schema and the index; a
    visitor without a token or session is asked to authenticate."""
    login(role)
    for address in ["/api/schema/", "/api/docs/", "/api/redoc/", "/api/"]:
        assert client.get(address).status_code in ((401, 403) if role == ANONYMOUS else (200,)), address
    assert len(lists()) >= 16
    for address, model in lists().items():
        status = client.get(address).status_code
        if role == ANONYMOUS:
            assert status in (401, 403), address
        else:
            may_view = role in COLUMNS and allowed(role, model, "v")
            assert status == (200 if may_view else 403), (address, role)


def test_a_bulk_payment_post_with_one_bad_row_writes_nothing_and_names_the_row(client, login, demo, accounts):
    token = create_token(accounts[roles.FINANCE_OFFICER], "finance system", "write", 1)[1]
    from programme_tracker.finance.models import Payment

    before = Payment.objects.count()
    rows = [{"funding period": "STOP-IT-NOW-2025", "reference": f"BANK-{n}", "paid on": "2026-11-02",
             "amount": "1250.50", "currency": "EUR"} for n in range(3)]
    rows[1] |= {"amount": "lots", "paid on": "2026-02-30"}
    answer = client.post("/api/payments/bulk/", {"rows": rows}, content_type="application/json", **bearer(token))
    assert answer.status_code == 400
    report = answer.json()
    assert not report["committed"] and {e["row"] for e in report["errors"]} == {2}
    assert {e["column"] for e in report["errors"]} == {"amount", "paid on"}
    assert Payment.objects.count() == before
    rows[1] |= {"amount": "99.99", "paid on": "2026-11-03"}
    checked = client.post("/api/payments/bulk/", {"rows": rows, "dry_run": True}, content_type="application/json",
                          **bearer(token))
    assert checked.status_code == 200 and checked.json()["created"] == 3 and not checked.json()["committed"]
    assert Payment.objects.count() == before
    done = client.post("/api/payments/bulk/", {"rows": rows}, content_type="application/json", **bearer(token))
    assert done.status_code == 200 and done.json()["committed"] and done.json()["created"] == 3
    assert Payment.objects.count() == before + 3
    assert Payment.objects.get(reference="BANK-0").history.first().history_user == accounts[roles.FINANCE_OFFICER]
    again = client.post("/api/payments/bulk/", {"rows": rows}, content_type="application/json", **bearer(token))
    assert again.json()["unchanged"] == 3  # the same month posted twice changes nothing


@pytest.mark.parametrize("body", [
    {}, {"rows": []}, {"rows": "x"}, {"rows": [{"paid on": True}]}, {"rows": [{"colour": "red"}]},
    {"rows": [{"amount": {"a": 1}}]}, {"rows": [{}] * 5001},
])
def test_a_malformed_bulk_post_is_refused_with_a_reason(client, accounts, body):
    token = create_token(accounts[roles.FINANCE_OFFICER], "finance system", "write", 1)[1]
    answer = client.post("/api/payments/bulk/", body, content_type="application/json", **bearer(token))
    assert answer.status_code == 400 and answer.json()


@pytest.mark.parametrize(("role", "status"), [(roles.FINANCE_OFFICER, 200), (roles.COORDINATOR, 403),
                                              (roles.MONITOR, 403)])
def test_bulk_writes_need_the_imports_permission(client, demo, accounts, role, status):
    token = create_token(accounts[role], "t", "write", 1)[1]
    rows = [{"funding period": "STOP-IT-NOW-2025", "reference": "X-1", "paid on": "2026-11-02", "amount": "1.00"}]
    answer = client.post("/api/payments/bulk/", {"rows": rows, "dry_run": True}, content_type="application/json",
                         **bearer(token))
    assert answer.status_code == status


def test_an_alerts_amounts_only_for_those_who_may_see_money_records(client, demo, accounts):
    underspend = Alert.objects.get(rule="underspend")
    member = create_token(accounts[roles.TASK_FORCE_MEMBER], "t", "read", 1)[1]
    monitor = create_token(accounts[roles.MONITOR], "t", "read", 1)[1]
    hidden = client.get(f"/api/alerts/{underspend.pk}/", **bearer(member)).json()["message"]
    shown = client.get(f"/api/alerts/{underspend.pk}/", **bearer(monitor)).json()["message"]
    assert "310,000.00" in shown and "310,000.00" not in hidden and "…" in hidden


def test_a_calendar_feed_is_valid_icalendar_with_stable_uids(client, login, demo):
    from icalendar import Calendar

    owner = login(roles.COORDINATOR)
    Programme.objects.filter(code="STOP-IT-NOW").update(owner=owner)
    page = client.post("/desk/api-tokens/", {"name": "Outlook", "scope": "calendar", "days": "365"})
    address = page.context["calendar_url"]
    assert address.startswith("http://testserver/api/calendar/pt_") and address.endswith(".ics")
    client.logout()
    first = client.get(address)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/calendar")
    events = {str(event["uid"]): event for event in Calendar.from_ical(first.content).walk("VEVENT")}
    summaries = {str(event["summary"]) for event in events.values()}
    assert any(s.startswith("Secured funding ends: STOP-IT-NOW-") for s in summaries)
    assert any(s.startswith("Tranche planned: STOP-IT-NOW-") for s in summaries)
    assert any(uid.startswith("task-force-meeting-") for uid in events)
    again = {str(event["uid"]) for event in Calendar.from_ical(client.get(address).content).walk("VEVENT")}
    assert again == set(events)  # the same UIDs: calendar programs update, not duplicate
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get("/api/programmes/", **bearer(token)).status_code == 401  # the feed's key opens nothing else


def test_a_programmes_and_a_ministrys_calendar_feed(client, demo, accounts, settings):
    from icalendar import Calendar

    settings.CONTINUITY = {**settings.CONTINUITY, "renewal_notice_days": 30}  # STOP-IT-NOW's decision: due soon
    coordinator = accounts[roles.COORDINATOR]  # owns none of the demo's programmes
    address = f"/api/calendar/{create_token(coordinator, 'Outlook', 'calendar', 30)[1]}.ics"

    def summaries(**query):
        answer = client.get(address, query)
        assert answer.status_code == 200
        return {str(event["summary"]) for event in Calendar.from_ical(answer.content).walk("VEVENT")}

    assert not any("STOP-IT-NOW" in s for s in summaries())  # the person's own: not their programme
    programme = summaries(programme="STOP-IT-NOW")
    assert any(s.startswith("Secured funding ends: STOP-IT-NOW-") for s in programme)
    assert any(s.startswith("Renewal decision due: STOP-IT-NOW-") for s in programme)
    assert not any(s.startswith("Action due") for s in programme)  # a programme's dates, not the person's
    ministry = summaries(ministry="VWS")
    led = Programme.objects.filter(lead_ministry__short_name="VWS").values_list("code", flat=True)
    assert ministry and all(any(code in s for code in led) for s in ministry)
    assert client.get(address, {"programme": "NO-SUCH"}).status_code == 404
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get(address).status_code == 404


def test_an_api_token_or_a_guess_does_not_open_a_feed(client, token):
    assert client.get(f"/api/calendar/{token}.ics").status_code == 404
    assert client.get("/api/calendar/pt_guess.ics").status_code == 404


def test_a_bulk_posts_amounts_are_read_with_a_decimal_point_and_its_problems_say_so(client, demo, accounts):
    token = create_token(accounts[roles.FINANCE_OFFICER], "finance system", "write", 1)[1]
    rows = [{"funding_period": "STOP-IT-NOW-2025", "reference": f"POINT-{n}", "paid_on": "2026-11-02",
             "amount": amount} for n, amount in enumerate(["80000,00", "1e5", "1,234.50", 12.5])]
    answer = client.post("/api/payments/bulk/", {"rows": rows}, content_type="application/json", **bearer(token))
    assert answer.status_code == 400
    assert [(e["row"], e["message"]) for e in answer.json()["errors"]] == [
        (1, "'80000,00' is written with a decimal comma, but the decimal separator is the point "
            "(as the API writes amounts)"),
        (2, "'1e5' is not an amount (write it like 1234.56 or 1,234.56)"),
    ]


def test_a_bulk_rows_unknown_key_is_a_problem_of_the_first_row_with_it(client, demo, accounts):
    token = create_token(accounts[roles.FINANCE_OFFICER], "finance system", "write", 1)[1]
    row = {"funding_period": "STOP-IT-NOW-2025", "reference": "KEY-1", "paid_on": "2026-11-02", "amount": "1.00"}
    answer = client.post("/api/payments/bulk/", {"rows": [row, row | {"amnt": "2.00"}, row | {"amnt": "3.00"}]},
                         content_type="application/json", **bearer(token))
    assert answer.status_code == 400
    report = answer.json()
    assert not report["committed"] and report["rows"] == 3
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "amnt")]
    assert report["errors"][0]["message"].startswith("Unknown column. The columns are: funding period, reference")


def test_a_bulk_post_takes_the_apis_field_names_too(client, demo, accounts):
    token = create_token(accounts[roles.FINANCE_OFFICER], "finance system", "write", 1)[1]
    rows = [{"funding_period": "STOP-IT-NOW-2025", "reference": "FIELDS-1", "paid_on": "2026-11-02",
             "amount": "100.00"}]
    answer = client.post("/api/payments/bulk/", {"rows": rows}, content_type="application/json", **bearer(token))
    assert answer.status_code == 200 and answer.json()["created"] == 1, answer.json()
