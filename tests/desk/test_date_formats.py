"""English pages write dates as the Dutch civil service reads English: "13 Jan 2027", never month first
(01/13/2027, Jan. 13, 2027); Dutch pages as Dutch ("13 januari 2027"). A date typed into a form is read ISO or day
first."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, get_format, number_format

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import Programme

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
US_ORDER = [re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),  # 01/13/2027 (and 05/02/2026: which day is it?)
            re.compile(rf"\b({MONTHS})\.? \d{{1,2}}, \d{{4}}\b"),  # Jan. 13, 2027
            re.compile(r"\b\d{1,2}(:\d{2})? ?[ap]\.m\.")]  # 2 p.m.


def test_english_dates_and_numbers_follow_british_conventions():
    with translation.override("en"):
        assert date_format(date(2027, 1, 13)) == "13 Jan 2027"
        assert date_format(date(2027, 1, 13), "SHORT_DATE_FORMAT") == "13 Jan 2027"
        assert number_format(1234567.5, 2, use_l10n=True, force_grouping=True) == "1,234,567.50"
        assert get_format("DATE_INPUT_FORMATS")[:2] == ["%Y-%m-%d", "%d/%m/%Y"]
    with translation.override("nl"):
        assert date_format(date(2027, 1, 13)) == "13 januari 2027"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_no_desk_page_writes_a_date_month_first(client, login, demo, language):
    login(roles.COORDINATOR)
    client.cookies["django_language"] = language
    programme = Programme.objects.get(code="STOP-IT-NOW")
    pages = [reverse(name) for name in ("desk:dashboard", "desk:timeline", "desk:coverage", "desk:inbox",
                                        "desk:report", "desk:task-force", "desk:progress")]
    pages += [reverse("desk:programme", args=[programme.pk]), reverse("admin:portfolio_programme_changelist"),
              reverse("admin:taskforce_meeting_changelist"), reverse("admin:continuity_alert_changelist")]
    # One date format on a page: in Dutch the long one only ("14 januari 2027", not also "14-1-2027").
    patterns = US_ORDER + ([re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b")] if language == "nl" else [])
    for url in pages:
        page = client.get(url).content.decode()
        for pattern in patterns:
            found = pattern.search(page)
            assert found is None, f"{url}: {found.group(0) if found else ''}"
