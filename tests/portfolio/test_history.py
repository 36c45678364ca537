"""History: every change to the register is kept with who, when, before and after, and shown in the desk."""

from datetime import date
from decimal import Decimal

import pytest

from programme_tracker.accounts import roles
from programme_tracker.portfolio.history import programme_change_log
from programme_tracker.portfolio.models import FundingPeriod, ProgrammeRecommendation, Recommendation
from tests.builders import form_errors, programme_form_for

pytestmark = pytest.mark.django_db


def test_desk_change_records_who_and_before_after(client, login, programme):
    user = login(roles.COORDINATOR)
    response = client.post(f"/desk/portfolio/programme/{programme.pk}/change/",
                           programme_form_for(programme, name="National helpline"))
    assert response.status_code == 302, form_errors(response)
    latest = programme.history.order_by("-history_id").first()
    assert latest.history_user == user
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("name", "Helpline", "National helpline")]


def test_history_page_shows_the_change(client, login, programme):
    login(roles.COORDINATOR)
    client.post(f"/desk/portfolio/programme/{programme.pk}/change/",
                programme_form_for(programme, name="National helpline"))
    page = form_errors(client.get(f"/desk/portfolio/programme/{programme.pk}/history/"))
    assert "Name: Helpline arrow_right_alt National helpline" in page
    assert "task-force-coordinator" in page


def test_funding_and_links_are_recorded_and_shown_on_the_programme(client, login, programme, ministry):
    user = login(roles.ADMINISTRATOR)
    period = programme.funding_periods.get()
    period.amount = Decimal("150000.00")
    period._history_user = user
    period.save()
    link = ProgrammeRecommendation.objects.create(programme=programme,
                                                  recommendation=Recommendation.objects.get(code="PREV-3"))
    link.delete()
    assert FundingPeriod.history.filter(code="HELPLINE-2025").count() == 2
    assert [r.history_type for r in ProgrammeRecommendation.history.order_by("history_id")] == ["+", "-"]

    log = programme_change_log(programme)
    amounts = [c for c in log if c.record.endswith("HELPLINE-2025") and c.action == "changed"]
    assert amounts[0].fields == (("amount", "100000.00", "150000.00"),)
    assert amounts[0].who == user.username
    assert {c.action for c in log if "PREV-3" in c.record} == {"created", "deleted"}

    page = form_errors(client.get(f"/desk/portfolio/programme/{programme.pk}/change/"))
    assert "amount: 100000.00 → 150000.00" in page


def test_change_log_queries_do_not_grow_with_history(programme, django_assert_max_num_queries):
    period = programme.funding_periods.get()
    for day in range(1, 30):
        period.end = date(2027, 1, day)
        period.save()
    with django_assert_max_num_queries(12):
        assert len(programme_change_log(programme, limit=100)) == 31
