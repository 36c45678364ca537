"""core.bulk.insert writes what bulk_create would: defaults, aware datetimes, dates, booleans and nulls."""

from datetime import UTC, date, datetime

from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.core import bulk


def test_insert_round_trips_every_kind_of_value(db):
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)  # the night the clocks change in Amsterdam
    bulk.insert([Alert(rule="stale-record", subject_key=f"programme:{n}", key="never", subject_label=f"P{n}",
                       severity="info", message="m", first_seen=date(2026, 3, 29), last_seen=date(2026, 3, 29),
                       opened_at=at, state_changed_at=at, for_coordinators=bool(n % 2)) for n in range(3)])
    alerts = list(Alert.objects.order_by("subject_key"))
    assert [a.for_coordinators for a in alerts] == [False, True, False]
    assert all(a.opened_at == at and a.state == "open" and a.accepted_until is None for a in alerts)
    bulk.insert([AlertEvent(alert=alerts[0], kind="opened", at=at, to_state="open")])
    assert AlertEvent.objects.get().at == at
    bulk.insert([])  # nothing to do
