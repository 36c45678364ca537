"""A delivery worker killed while sending loses nothing: after the claim timeout the mail goes out once."""

import signal
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.scan import run_scan
from programme_tracker.notifications import outbox
from programme_tracker.notifications.models import Delivery, EmailState, Notification, Preference
from tests.builders import T, day, fund, make_programme
from tests.processes import needs_server_database, start


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_loses_nothing(accounts):
    needs_server_database()
    owner = accounts[roles.FINANCE_OFFICER]
    owner.email = "owner@example.invalid"
    owner.save()
    Preference.objects.create(user=owner, delivery=Delivery.ALL_AT_ONCE)
    fund(make_programme(owner), day(-10), day(10))
    run_scan(T, rules=["funding-expiring"])
    pending = set(Notification.objects.filter(email_state=EmailState.PENDING).values_list("pk", flat=True))
    assert pending
    # A mail server that accepts the connection and then says nothing: the worker hangs in the middle of sending.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        worker = start("run-job", "deliver-notifications", mail_server="127.0.0.1",
                       mail_port=silent.getsockname()[1])
        deadline = time.monotonic() + 60
        while Notification.objects.filter(pk__in=pending, email_state=EmailState.CLAIMED).count() < len(pending):
            assert time.monotonic() < deadline and worker.poll() is None, worker.communicate()
            time.sleep(0.2)
        silent.accept()
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
    assert outbox.deliver_due() == 0  # another worker leaves a fresh claim alone
    later = timezone.now() + outbox.CLAIM_TIMEOUT + timedelta(seconds=1)
    assert outbox.deliver_due(later) == len(pending)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.invalid"]
    assert set(Notification.objects.filter(pk__in=pending).values_list("email_state", flat=True)) == {"sent"}
