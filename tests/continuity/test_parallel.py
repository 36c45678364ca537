"""Scans in parallel processes against MariaDB leave one alert per identity, and notify once."""

from collections import Counter

import pytest

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.notifications.models import Notification
from tests.builders import day, fund, make_programme
from tests.processes import needs_server_database, start


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_parallel_scans_leave_one_alert_per_identity(accounts):
    needs_server_database()
    owner = accounts[roles.COORDINATOR]
    for n in range(150):
        p = make_programme(owner, last_reviewed=None if n % 2 else day(0))
        fund(p, day(-300), day(n))
    # Saving re-evaluated the programmes already; start from nothing so that the scans race to open every alert.
    Alert.objects.all().delete()
    scans = [start("scan", "--as-of", "2026-06-01") for _ in range(4)]
    for scan in scans:
        out, err = scan.communicate(timeout=300)
        assert scan.returncode == 0, err
    identities = Counter(Alert.objects.values_list("rule", "subject_key", "key"))
    assert identities and max(identities.values()) == 1
    opened = Counter(AlertEvent.objects.filter(kind="opened").values_list("alert_id", flat=True))
    assert len(opened) == len(identities) and max(opened.values()) == 1
    told = Counter(Notification.objects.values_list("recipient_id", "alert_id", "event__kind"))
    assert max(told.values()) == 1
