"""Each desk page reads the database a fixed number of times, whether the portfolio holds a few programmes or ten
times as many (NetBox's query-count baselines: a page cannot silently become N+1)."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.scan import run_scan
from programme_tracker.finance.models import BudgetLine
from programme_tracker.portfolio.models import Programme, ProgrammeRecommendation, Recommendation
from tests.builders import fund, make_programme


def grow(owner, count):
    """`count` more programmes, each with two secured periods and a gap, a budget and two recommendations, and
    every third one ending without renewal (so that alerts are found)."""
    today = timezone.localdate()
    recommendations = list(Recommendation.objects.order_by("code"))
    for i in range(count):
        programme = make_programme(owner, planned_start=today - timedelta(days=400),
                                   planned_end=today + timedelta(days=700))
        fund(programme, today - timedelta(days=400), today + timedelta(days=60 + i))
        fund(programme, today + timedelta(days=120 + i), today + timedelta(days=500), amount=Decimal("2500.50"))
        BudgetLine.objects.create(programme=programme, fiscal_year=today.year, amount=Decimal("1234.56"))
        for recommendation in (recommendations[i % 25], recommendations[(i + 7) % 25]):
            ProgrammeRecommendation.objects.get_or_create(programme=programme, recommendation=recommendation)
    run_scan(today)


def page_queries(client):
    """How many queries each page takes, by page (the programme page is the first programme's)."""
    pages = {name: reverse(name) for name in ("desk:dashboard", "desk:timeline", "desk:coverage", "desk:inbox",
                                                "desk:report")}
    pages |= {"desk:programme": reverse("desk:programme", args=[Programme.objects.order_by("pk").first().pk]),
              "report as xlsx": reverse("desk:report") + "?format=xlsx",
              "report on a date": reverse("desk:report") + "?date=2026-01-01",
              "timeline page 2": reverse("desk:timeline") + "?page=2"}
    counts = {}
    for page, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[page] = len(queries)
    return counts


def test_each_page_takes_as_many_queries_for_ten_times_the_portfolio(client, accounts):
    coordinator = accounts[roles.COORDINATOR]
    client.force_login(coordinator)
    client.get(reverse("desk:dashboard"))  # not the first visit (which records it with an insert)
    grow(coordinator, 4)
    small = page_queries(client)
    grow(coordinator, 36)
    assert Programme.objects.count() == 40
    large = page_queries(client)
    assert large == small
