"""E-mails that cannot be sent: one-line subjects, no endless retries, set aside for Administrators, others sent."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications import outbox, services
from programme_tracker.notifications.emails import Email
from programme_tracker.notifications.models import EmailState, Notification
from programme_tracker.portfolio.models import Programme
from tests.builders import T, day, fund, make_programme


def expiring(owner, **fields):
    programme = make_programme(owner, **fields)
    fund(programme, day(-10), day(10))
    return programme


def test_a_name_with_a_line_break_is_refused(people):
    with pytest.raises(ValidationError) as refused:
        make_programme(people[roles.COORDINATOR], name="Helpline\nBcc: someone@example.org")
    assert "name" in refused.value.message_dict and "U+000A" in refused.value.message_dict["name"][0]
    for text in ("tab\there", "nul\x00", "evil\u202egnp.exe", "isolate\u2066x", "line\u2028separator",
                 "zero\u200bwidth", "bom\ufeff"):
        with pytest.raises(ValidationError):
            make_programme(people[roles.COORDINATOR], name=text)
    # Multi-line fields keep their line breaks.
    programme = make_programme(people[roles.COORDINATOR], description="line one\nline two\ttabbed")
    assert programme.description == "line one\nline two\ttabbed"
    with pytest.raises(ValidationError) as refused:
        make_programme(people[roles.COORDINATOR], description="x" * 20_001)
    assert "20,000" in refused.value.message_dict["description"][0]


def test_a_line_break_saved_earlier_does_not_break_the_mail(people):
    programme = expiring(people[roles.FINANCE_OFFICER])
    Programme.objects.filter(pk=programme.pk).update(name="Helpline\r\nBcc: x@example.org")  # data from before
    run_scan(T, rules=["funding-expiring"])
    Alert.objects.update(subject_label="Helpline\r\nBcc: x@example.org")
    assert outbox.deliver_due(T_NOW()) >= 1
    assert all("\n" not in message.subject and "\r" not in message.subject for message in mail.outbox)
    assert not Notification.objects.exclude(email_state__in=[EmailState.SENT, EmailState.NONE]).exists()


def T_NOW():  # noqa: N802 - the scan's "today" as a moment at which critical mail is due
    return Notification.objects.order_by("email_due_at").values_list("email_due_at", flat=True).first()


class RefusingBackend(locmem.EmailBackend):
    """The test outbox, with a mail server that refuses one domain as an SMTP server does (550)."""

    def send_messages(self, messages):
        for message in messages:
            refused = {to: (550, b"no such mailbox") for to in message.to if to.endswith("@refused.invalid")}
            if refused:
                raise SMTPRecipientsRefused(refused)
        return super().send_messages(messages)


def test_an_unfixable_failure_is_set_aside_and_the_others_still_go(people, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    refused = people[roles.FINANCE_OFFICER]
    refused.email = "finance@refused.invalid"
    refused.save()
    expiring(refused)
    expiring(people[roles.COORDINATOR])
    run_scan(T, rules=["funding-expiring"])
    now = T_NOW()
    outbox.deliver_due(now)
    failed = Notification.objects.get(recipient=refused, alert__severity="critical")
    assert failed.email_state == EmailState.FAILED and "no such mailbox" in failed.last_error
    assert [m.to for m in mail.outbox] == [[people[roles.COORDINATOR].email]]
    # Not tried again on the next rounds.
    assert outbox.deliver_due(now + timedelta(days=3)) == 0
    assert Notification.objects.get(pk=failed.pk).attempts == 1


def test_a_header_the_mail_cannot_carry_fails_at_once(people, monkeypatch):
    expiring(people[roles.FINANCE_OFFICER])
    run_scan(T, rules=["funding-expiring"])
    monkeypatch.setattr(outbox, "compose", lambda notifications, preference: Email(
        "bad\nsubject", "body", "<p>body</p>", "programme-tracker@localhost"))
    outbox.deliver_due(T_NOW())
    row = Notification.objects.get(recipient=people[roles.FINANCE_OFFICER], alert__severity="critical")
    assert row.email_state == EmailState.FAILED and row.attempts == 1


def test_a_mail_server_that_keeps_refusing_stops_after_the_last_try(people, settings):
    expiring(people[roles.FINANCE_OFFICER])
    run_scan(T, rules=["funding-expiring"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    row = Notification.objects.get(alert__severity="critical")
    Notification.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.deliver_due(T_NOW() + timedelta(days=1))
    row.refresh_from_db()
    assert row.email_state == EmailState.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    # After the cause is fixed, an Administrator sends it again from the desk.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_again([row.pk]) == 1
    assert outbox.deliver_due() == 1 and len(mail.outbox) == 1


def test_administrators_see_undelivered_mail_and_others_do_not(client, people):
    owner = people[roles.FINANCE_OFFICER]
    expiring(owner)
    run_scan(T, rules=["funding-expiring"])
    Notification.objects.update(email_state=EmailState.FAILED, last_error="550 no such mailbox")
    url = reverse("admin:notifications_undeliveredemail_changelist")
    for role in (roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR):
        client.force_login(people[role])
        assert client.get(url).status_code == 403
    client.force_login(people[roles.ADMINISTRATOR])
    page = client.get(url).content.decode()
    assert "550 no such mailbox" in page and owner.email in page
    ids = list(Notification.objects.values_list("pk", flat=True))
    response = client.post(url, {"action": "send_selected_again", "_selected_action": ids})
    assert response.status_code == 302
    assert not Notification.objects.filter(email_state=EmailState.FAILED).exists()


def test_a_notification_address_that_is_no_number_is_not_found(client, people):
    client.force_login(people[roles.MONITOR])
    for bad in ("abc", "1e5", "²", "99999999999999999999999"):
        response = client.get(f"/desk/notifications/notification/{bad}/change/")
        assert response.status_code in (302, 404), bad
