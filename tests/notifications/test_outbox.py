"""Notifications: who is told, the outbox written with the alert change, claims, digests, escalation, retries."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity import listeners
from programme_tracker.continuity.escalation import escalate
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications import outbox, services
from programme_tracker.notifications.models import Delivery, EmailState, Notification, Preference, Subscription
from tests.builders import T, day, fund, make_programme

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def expiring(people):
    """An owned programme whose funding ends in 10 days (critical) and one ending in 100 days (info)."""
    owner = people[roles.FINANCE_OFFICER]
    critical = make_programme(owner)
    fund(critical, day(-10), day(10))
    calm = make_programme(owner)
    fund(calm, day(-10), day(100), renewal_decision="not_applicable")
    return critical, calm


def test_the_owner_is_told_and_critical_mail_is_due_at_once_the_rest_at_digest_time(expiring, people):
    run_scan(T, rules=["funding-expiring"])
    owner = people[roles.FINANCE_OFFICER]
    rows = {n.alert.severity: n for n in Notification.objects.filter(recipient=owner)}
    assert set(rows) == {"critical", "info"}
    assert rows["critical"].email_state == EmailState.PENDING
    assert rows["critical"].email_due_at <= rows["critical"].created_at + timedelta(seconds=1)
    digest = rows["info"].email_due_at.astimezone(AMSTERDAM)
    assert (digest.hour, digest.minute) == (7, 0) and digest > rows["info"].created_at


def test_no_owner_means_the_coordinators_and_monitors_hear_what_they_follow(people, ministry):
    make_programme(None, status="planned", area="aftercare")
    Subscription.objects.create(user=people[roles.MONITOR], area="aftercare", rule="unowned-measure")
    Subscription.objects.create(user=people[roles.ADMINISTRATOR], area="prevention")  # a different area
    run_scan(T, rules=["unowned-measure"])
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {people[roles.COORDINATOR].username, people[roles.MONITOR].username}


def test_lead_ministry_contacts_when_the_owner_has_left(people, ministry):
    leaver = people[roles.MONITOR]
    p = make_programme(leaver)
    fund(p, day(-10), day(10))
    leaver.is_active = False
    leaver.save()
    ministry.contacts.add(people[roles.FINANCE_OFFICER])
    run_scan(T, rules=["funding-expiring"])
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [
        people[roles.FINANCE_OFFICER].username]


def test_a_scan_that_fails_leaves_neither_alert_nor_notification(expiring, monkeypatch):
    def broken(batch):
        raise RuntimeError("disk full")

    # After the notifications' own listener has written its rows: they must be rolled back with the alerts.
    monkeypatch.setattr(listeners._alert_events, "_listeners", [*listeners._alert_events._listeners, broken])
    with pytest.raises(RuntimeError):
        run_scan(T)
    assert not Alert.objects.exists() and not Notification.objects.exists()


def test_delivery_sends_one_mail_per_person_and_marks_it(expiring, people):
    Preference.objects.create(user=people[roles.FINANCE_OFFICER], delivery=Delivery.ALL_AT_ONCE)
    run_scan(T, rules=["funding-expiring"])
    assert outbox.deliver_due() == 2
    assert len(mail.outbox) == 1 and "2 alerts" in mail.outbox[0].subject
    assert "/desk/inbox/?alert=" in mail.outbox[0].body
    assert outbox.deliver_due() == 0 and len(mail.outbox) == 1
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_digest_goes_out_at_digest_time_not_before(expiring, people):
    run_scan(T, rules=["funding-expiring"])
    outbox.deliver_due()
    assert [m.subject for m in mail.outbox] == [m.subject for m in mail.outbox if "Critical" in m.subject]
    waiting = Notification.objects.get(email_state=EmailState.PENDING)
    outbox.deliver_due(now=waiting.email_due_at - timedelta(seconds=1))
    assert len(mail.outbox) == 1
    outbox.deliver_due(now=waiting.email_due_at)
    assert len(mail.outbox) == 2 and "Daily digest" in mail.outbox[1].subject
    assert "(1 for information)" in mail.outbox[1].subject


def test_a_worker_that_dies_after_claiming_leaves_the_mail_to_be_sent_once_after_the_timeout(expiring, settings):
    # The digest falls half a day away, so only the critical mail can be due in the windows below, at any hour.
    settings.DIGEST_TIME = (timezone.localtime() + timedelta(hours=12)).strftime("%H:%M")
    run_scan(T, rules=["funding-expiring"])
    now = Notification.objects.get(alert__severity="critical").email_due_at
    assert outbox.claim(now) is not None  # this worker dies here: claimed, never sent
    assert outbox.deliver_due(now + timedelta(minutes=5)) == 0  # still within its claim
    assert outbox.deliver_due(now + outbox.CLAIM_TIMEOUT + timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1


def test_mail_server_down_keeps_the_mail_and_retries_later(expiring, people, settings):
    run_scan(T, rules=["funding-expiring"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    assert outbox.deliver_due() == 0
    row = Notification.objects.get(alert__severity="critical")
    assert row.email_state == EmailState.PENDING and row.attempts == 1 and row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver_due(now=row.email_due_at) == 1 and len(mail.outbox) == 1


def test_escalation_once_after_the_set_days(expiring, people, settings):
    run_scan(T, rules=["funding-expiring"])
    opened = Alert.objects.get(severity="critical").state_changed_at
    later = opened + timedelta(days=settings.CONTINUITY_ESCALATE_AFTER_DAYS)
    assert escalate(later - timedelta(seconds=1)) == 0
    assert escalate(later) == 2
    assert escalate(later + timedelta(days=1)) == 0
    escalated = Notification.objects.filter(event__kind="escalated")
    assert set(escalated.values_list("recipient__username", flat=True)) == {people[roles.COORDINATOR].username}
    assert escalated.count() == 2


def test_unread_count_and_mark_read(expiring, people):
    run_scan(T, rules=["funding-expiring"])
    owner = people[roles.FINANCE_OFFICER]
    assert services.unread_count(owner) == 2
    services.mark_read(owner)
    assert services.unread_count(owner) == 0


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_notification(base, people, settings):
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database shared by two connections (runs on MariaDB in CI)")
    owner = people[roles.FINANCE_OFFICER]
    Preference.objects.create(user=owner, delivery=Delivery.ALL_AT_ONCE)
    for _n in range(30):
        fund(make_programme(owner), day(-10), day(10))
    run_scan(T, rules=["funding-expiring"])
    # (Saving the programmes re-evaluated them on today's date too: more notifications than the 30 of the scan.)
    Notification.objects.update(email_due_at=datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    expected = Notification.objects.filter(email_state=EmailState.PENDING).count()
    assert expected >= 30
    sent = []

    def worker():
        try:
            while token := outbox.claim(limit=3):
                sent.extend(Notification.objects.filter(claim_token=token).values_list("pk", flat=True))
                outbox.send_claimed(token)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == len(set(sent)) == expected
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == expected
    assert sum(len(message.to) for message in mail.outbox) <= expected


def test_changing_the_preference_re_times_waiting_mail(expiring, people, client):
    run_scan(T, rules=["funding-expiring"])
    owner = people[roles.FINANCE_OFFICER]
    client.force_login(owner)
    response = client.post("/desk/notifications/preference/add/", {"delivery": Delivery.ALL_AT_ONCE})
    assert response.status_code == 302
    outbox.deliver_due()
    assert len(mail.outbox) == 1 and "2 alerts" in mail.outbox[0].subject
    assert mail.outbox[0].body.index("CRITICAL") < mail.outbox[0].body.index("INFO")


def test_subscribing_through_the_desk(people, client):
    monitor = people[roles.MONITOR]
    client.force_login(monitor)
    page = client.get("/desk/notifications/subscription/add/").content.decode()
    assert "funding-expiring" in page and "Funding expiring" in page
    response = client.post("/desk/notifications/subscription/add/", {"area": "aftercare", "ministry": "",
                                                                      "rule": "unowned-measure"})
    assert response.status_code == 302
    assert list(Subscription.objects.values_list("user__username", "area", "rule")) == [
        (monitor.username, "aftercare", "unowned-measure")]


def test_each_person_is_written_to_in_their_own_language_as_text_and_html(expiring, people, settings):
    settings.LANGUAGE_CODE = "en"
    dutch, english = people[roles.FINANCE_OFFICER], people[roles.COORDINATOR]
    Preference.objects.create(user=dutch, delivery=Delivery.ALL_AT_ONCE, language="nl")
    Preference.objects.create(user=english, delivery=Delivery.ALL_AT_ONCE)
    Subscription.objects.create(user=english)  # follows every alert, in the site's language
    run_scan(T, rules=["funding-expiring"])
    assert Notification.objects.get(recipient=dutch, alert__severity="critical").reason.startswith(
        "u bent eigenaar van")
    outbox.deliver_due()
    mails = {message.to[0]: message for message in mail.outbox}
    nl, en = mails[dutch.email], mails[english.email]
    assert "2 waarschuwingen voor u (1 kritiek, 1 ter informatie)" in nl.subject
    assert "Nieuw gesignaleerd op" in nl.body and "KRITIEK" in nl.body
    assert "2 alerts for you (1 critical, 1 for information)" in en.subject
    assert "Newly found on" in en.body and "CRITICAL" in en.body
    html, kind = nl.alternatives[0]
    assert kind == "text/html" and '<html lang="nl">' in html and "Afhandelen in de inbox" in html
    assert "/desk/inbox/?alert=" in html and "<script" not in html
