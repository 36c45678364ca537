"""The progress report (voortgangsrapportage): per recommendation, the decisions of the period, actions done and
open, the change in coverage and the money committed; as a page, XLSX, DOCX and PDF; a period that is not one is
refused with its reason."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.desk.progress import progress
from programme_tracker.finance.models import Commitment
from programme_tracker.portfolio.models import FundingPeriod, Programme, Recommendation
from programme_tracker.taskforce.models import ActionItem
from programme_tracker.taskforce.services import add_action, complete_action, record_decision
from tests.documents import text_of


@pytest.fixture
def period(demo, accounts):
    """This year's work on POL-4 (directly) and on a recommendation the helpline implements (through it)."""
    start, end = demo - timedelta(days=60), demo
    helpline = Programme.objects.get(code="STOP-IT-NOW")
    secretary = accounts[roles.COORDINATOR]
    direct = record_decision(actor=secretary, decided_on=demo - timedelta(days=10), kind="other",
                             text="Ask the ministries for a plan.", recommendations=[Recommendation.objects.get(
                                 code="POL-4")])
    through = record_decision(actor=secretary, decided_on=demo - timedelta(days=5), kind="continue_funding",
                              text="Extend the helpline.", programmes=[helpline])
    old = record_decision(actor=secretary, decided_on=start - timedelta(days=1), kind="other", text="Before.",
                          programmes=[helpline])
    done = add_action(actor=secretary, what="Write the plan", owner=secretary, due_on=demo,
                      recommendations=[Recommendation.objects.get(code="POL-4")])
    complete_action(done.pk, actor=secretary, done_on=demo - timedelta(days=2), evidence="Letter 2026-123")
    add_action(actor=secretary, what="Chase VWS", owner=secretary, due_on=demo, programmes=[helpline])
    funding_period = FundingPeriod.objects.filter(programme=helpline).order_by("-end").first()
    Commitment.objects.create(funding_period=funding_period, reference="VWS-2026-77", decided_on=demo - timedelta(
        days=3), amount=Decimal("125000.50"))
    return {"start": start, "end": end, "direct": direct, "through": through, "old": old, "helpline": helpline}


def row(found, code):
    return next(entry for entry in found if entry.code == code)


def test_each_recommendation_counts_its_own_work_and_that_of_its_programmes(period):
    found = progress(period["start"], period["end"])
    assert len(found) == Recommendation.objects.count()
    pol4 = row(found, "POL-4")
    assert period["direct"].number in pol4.decisions and pol4.actions_done >= 1
    implemented = period["helpline"].recommendations.all()
    assert implemented
    for recommendation in implemented:
        entry = row(found, recommendation.code)
        assert period["through"].number in entry.decisions and period["old"].number not in entry.decisions
        assert entry.committed >= Decimal("125000.50") and entry.actions_open >= 1
    elsewhere = Recommendation.objects.exclude(pk__in=implemented).exclude(code="POL-4").first()
    assert period["through"].number not in row(found, elsewhere.code).decisions
    assert period["direct"].number not in row(found, elsewhere.code).decisions


def test_an_action_done_after_the_period_was_open_at_its_end(period):
    ActionItem.objects.filter(what="Write the plan").update(done_on=period["end"] + timedelta(days=1))
    pol4 = row(progress(period["start"], period["end"]), "POL-4")
    assert pol4.actions_done == 0 and pol4.actions_open == 1


@pytest.mark.parametrize("file_format", ["xlsx", "docx", "pdf"])
def test_the_downloads_hold_the_decisions(client, login, period, file_format):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:progress"), {"start": period["start"].isoformat(),
                                                     "end": period["end"].isoformat(), "format": file_format})
    assert response.status_code == 200
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)
        assert "125000.5" in text
    else:
        text = text_of(response.content, file_format)
    assert period["direct"].number in text and period["through"].number in text and "POL-4" in text
    assert f'filename="progress-report-{period["start"].isoformat()}-{period["end"].isoformat()}.{file_format}"' \
        in response["Content-Disposition"]


def test_the_page_in_dutch_and_without_money_for_a_member(client, login, period):
    login(roles.TASK_FORCE_MEMBER)
    page = client.get(reverse("desk:progress"), {"start": period["start"].isoformat()}).content.decode()
    assert period["direct"].number in page and "Committed (EUR)" not in page
    login(roles.FINANCE_OFFICER)
    client.cookies["django_language"] = "nl"
    page = client.get(reverse("desk:progress"), {"start": period["start"].isoformat()}).content.decode()
    assert "Juridisch verplicht (EUR)" in page and "125.000,50" in page and "tot en met" in page


@pytest.mark.parametrize(("query", "message"), [
    ({"start": "2026-02-30"}, "Give the first day of the period as a date from 1900 to 2999."),
    ({"end": "31-12-2026"}, "Give the last day of the period as a date from 1900 to 2999."),
    ({"start": "2026-06-01", "end": "2026-05-31"}, "The period ends before it starts."),
    ({"start": "1950-01-01", "end": "2026-01-01"}, "Choose a period of ten years at most."),
    ({"start": "9999-12-31", "format": "pdf"}, "Give the first day of the period as a date from 1900 to 2999."),
])
def test_a_period_that_is_not_one_is_refused_with_its_reason(client, login, demo, query, message):
    login(roles.COORDINATOR)
    response = client.get(reverse("desk:progress"), query)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    for name in ("start", "end"):  # what was typed stays, to be corrected
        if name in query:
            assert f'name="{name}" id="progress-{name}" value="{query[name]}"' in page
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("who", "status"), [
    (roles.COORDINATOR, 200), (roles.FINANCE_OFFICER, 200), (roles.MONITOR, 200), (roles.ADMINISTRATOR, 200),
    (roles.TASK_FORCE_MEMBER, 200), ("staff without a role", 403), ("anonymous", 302),
])
def test_who_opens_the_progress_report(client, login, accounts, who, status):
    login(who)
    assert client.get(reverse("desk:progress")).status_code == status
    assert client.get(reverse("desk:progress"), {"format": "pdf"}).status_code == status
