"""What changed since I last looked: the inbox marks alerts opened or changed since the person's previous visit,
filters on them, and the dashboard counts them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.accounts.models import DeskVisit
from programme_tracker.accounts.services import ONE_VISIT, record_visit
from programme_tracker.continuity.models import Alert, AlertEvent

pytestmark = pytest.mark.django_db


def test_pages_seen_close_together_are_one_visit(accounts):
    person = accounts[roles.MONITOR]
    start = timezone.now()
    assert record_visit(person, start) is None  # a first visit: nothing counts as new yet
    assert record_visit(person, start + ONE_VISIT / 2) is None  # still the same visit
    later = start + ONE_VISIT / 2 + ONE_VISIT * 3
    assert record_visit(person, later) == start + ONE_VISIT / 2  # a new visit: new since the last one ended
    assert record_visit(person, later + timedelta(minutes=5)) == start + ONE_VISIT / 2


def alert(key, opened_at):
    today = timezone.localdate()
    return Alert.objects.create(rule="funding-gap", subject_key=f"programme:{key}", key="", subject_label=key,
                                severity="warning", message=key, first_seen=today, last_seen=today,
                                opened_at=opened_at)


@pytest.fixture
def since(accounts):
    """The monitor's last visit ended two days ago; three alerts: one older and untouched, one older that someone
    else acknowledged since, one opened since; and one older the monitor acted on themselves."""
    monitor, coordinator = accounts[roles.MONITOR], accounts[roles.COORDINATOR]
    now = timezone.now()
    last_visit = now - timedelta(days=2)
    DeskVisit.objects.create(user=monitor, at=last_visit)
    alert("OLD-QUIET", now - timedelta(days=10))
    touched = alert("OLD-TOUCHED", now - timedelta(days=10))
    AlertEvent.objects.create(alert=touched, kind="acknowledged", at=now - timedelta(days=1), actor=coordinator,
                              from_state="open", to_state="acknowledged")
    mine = alert("OLD-MINE", now - timedelta(days=10))
    AlertEvent.objects.create(alert=mine, kind="reassigned", at=now - timedelta(days=1), actor=monitor,
                              from_state="open", to_state="open")
    alert("BRAND-NEW", now - timedelta(hours=3))
    return last_visit


def row(page: str, key: str) -> str:
    start = page.index(f">{key}<") if f">{key}<" in page else page.index(key)
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


def test_the_inbox_marks_what_is_new_or_changed_since_the_last_visit(client, login, since):
    login(roles.MONITOR)
    page = client.get(reverse("desk:inbox")).content.decode()
    assert 'class="desk-new">new<' in row(page, "BRAND-NEW")
    assert 'class="desk-new">changed<' in row(page, "OLD-TOUCHED")
    assert "desk-new" not in row(page, "OLD-QUIET")
    assert "desk-new" not in row(page, "OLD-MINE")  # what I did myself is not news to me
    assert "since your last visit" in page
    # Within the same visit the marks stay while the person works through them.
    again = client.get(reverse("desk:inbox")).content.decode()
    assert 'class="desk-new">new<' in row(again, "BRAND-NEW")
    only = client.get(reverse("desk:inbox"), {"recent": "1"}).context["page"].object_list
    assert {a.subject_label for a in only} == {"BRAND-NEW", "OLD-TOUCHED"}


def test_the_dashboard_counts_what_is_new_since_the_last_visit(client, login, since):
    login(roles.MONITOR)
    page = client.get(reverse("desk:dashboard")).content.decode()
    line = page[page.index('id="since-last-visit"'):]
    line = line[:line.index("</span>")]
    assert "1 new alert, 1 changed" in line and "recent=1" in line


def test_a_first_visit_marks_nothing(client, login, accounts):
    alert("BRAND-NEW", timezone.now())
    login(roles.MONITOR)
    page = client.get(reverse("desk:inbox")).content.decode()
    assert "desk-new" not in row(page, "BRAND-NEW")
    assert 'id="since-last-visit"' not in client.get(reverse("desk:dashboard")).content.decode()
