"""Webhooks: alert events and decisions reach a registered address signed, through the outbox, once."""

import json
import signal
import socket
import uuid
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.api import webhooks
from programme_tracker.api.models import DeliveryState, Webhook, WebhookDelivery, WebhookEvent
from programme_tracker.continuity import services as alert_services
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.taskforce.services import record_decision
from tests.api.receiver import Receiver, signature_valid
from tests.builders import T, day, fund, make_programme
from tests.conftest import ANONYMOUS, NO_ROLE
from tests.processes import needs_server_database, start

ALL_EVENTS = list(WebhookEvent.values)


@pytest.fixture(autouse=True)
def receivers_on_this_machine(settings):
    """The test receivers listen on 127.0.0.1: a private address the site refuses unless told otherwise."""
    settings.WEBHOOKS_TO_PRIVATE_NETWORKS = True


def expiring(accounts, **fields):
    """A programme whose only funding ends in ten days, and the scan that opens its alert."""
    programme = make_programme(accounts[roles.COORDINATOR], **fields)
    fund(programme, day(-300), day(10), amount="250000.00")
    run_scan(T, rules=["funding-expiring"])
    return programme


def test_an_opened_alert_arrives_signed(accounts):
    with Receiver() as receiver:
        hook = Webhook.objects.create(url=receiver.url, events=ALL_EVENTS)
        programme = expiring(accounts)
        assert webhooks.deliver_due() == 1
    (request,) = receiver.requests
    assert signature_valid(hook.secret, request)
    assert not signature_valid("another secret", request)
    body = json.loads(request["body"])
    assert request["headers"]["X-PT-Event"] == body["event"] == "alert.opened"
    assert request["headers"]["X-PT-Delivery"] == body["delivery"]
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert body["alert"]["rule"] == "funding-expiring" and body["alert"]["programme"] == programme.code
    assert body["alert"]["state"] == "open" and body["alert"]["url"].endswith(
        reverse("admin:continuity_alert_change", args=[body["alert"]["id"]]))
    assert "250" not in body["alert"]["message"]  # no amounts: the message as one without money rights reads it
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (DeliveryState.SENT, 1, 200)
    assert webhooks.deliver_due() == 0  # sent is sent: never twice


def test_only_the_chosen_events_of_active_webhooks(accounts):
    Webhook.objects.create(url="http://127.0.0.1:9/a/", events=["alert.resolved"])
    Webhook.objects.create(url="http://127.0.0.1:9/b/", events=ALL_EVENTS, active=False)
    chosen = Webhook.objects.create(url="http://127.0.0.1:9/c/", events=["alert.opened"])
    expiring(accounts)
    assert list(WebhookDelivery.objects.values_list("webhook", "event")) == [(chosen.pk, "alert.opened")]


def test_escalated_and_resolved_events(accounts):
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=["alert.escalated", "alert.resolved"])
    programme = expiring(accounts)
    alert = Alert.objects.get()
    alert_services.acknowledge(alert.pk, actor=accounts[roles.COORDINATOR])
    fund(programme, day(11), day(400))  # the gap is closed: the next scan resolves the alert
    run_scan(T, rules=["funding-expiring"])
    assert list(hook.deliveries.values_list("event", flat=True)) == ["alert.resolved"]
    body = json.loads(hook.deliveries.get().body)
    assert (body["alert"]["state"], body["alert"]["from_state"]) == ("resolved", "acknowledged")


def test_a_decision_arrives_with_its_subjects(accounts):
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=["decision.recorded"])
    programme = make_programme(accounts[roles.COORDINATOR])
    decision = record_decision(actor=accounts[roles.COORDINATOR], decided_on=date(2027, 3, 11), kind="other",
                               text="Continue the helpline.", programmes=[programme])
    body = json.loads(hook.deliveries.get().body)
    assert body["event"] == "decision.recorded"
    assert body["decision"]["number"] == decision.number and body["decision"]["programmes"] == [programme.code]
    assert body["decision"]["decided_on"] == "2027-03-11"


def test_nothing_is_sent_for_what_rolled_back(accounts):
    Webhook.objects.create(url="http://127.0.0.1:9/", events=ALL_EVENTS)
    programme = make_programme(accounts[roles.COORDINATOR])
    with pytest.raises(RuntimeError), transaction.atomic():
        record_decision(actor=accounts[roles.COORDINATOR], decided_on=date(2027, 3, 11), kind="other", text="x",
                        programmes=[programme])
        raise RuntimeError("the request failed after the decision")
    assert not WebhookDelivery.objects.exists()


def test_a_refusing_receiver_is_tried_again_later_then_set_aside(accounts):
    with Receiver() as receiver:
        Webhook.objects.create(url=receiver.url, events=ALL_EVENTS)
        expiring(accounts)
        receiver.answers = [503]
        assert webhooks.deliver_due() == 0
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.response_status, delivery.last_error) == ("pending", 503, "HTTP 503")
        assert delivery.due_at > timezone.now()  # backoff: not again at once
        assert webhooks.deliver_due() == 0 and len(receiver.requests) == 1
        assert webhooks.deliver_due(delivery.due_at + timedelta(seconds=1)) == 1
        assert [r["headers"]["X-PT-Delivery"] for r in receiver.requests] == [str(delivery.delivery_id)] * 2
    WebhookDelivery.objects.update(state="pending", attempts=webhooks.MAX_ATTEMPTS, due_at=timezone.now())
    assert webhooks.deliver_due() == 0  # the receiver is gone (connection refused), and has been for too long
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.last_error


def test_a_redirect_is_not_followed(accounts):
    with Receiver() as receiver:
        Webhook.objects.create(url=receiver.url, events=ALL_EVENTS)
        expiring(accounts)
        receiver.answers = [302]
        assert webhooks.deliver_due() == 0
    assert len(receiver.requests) == 1 and WebhookDelivery.objects.get().response_status == 302


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing_and_each_event_is_handled_once(accounts):
    needs_server_database()
    with Receiver() as receiver:
        hook = Webhook.objects.create(url=receiver.url, events=ALL_EVENTS)
        expiring(accounts)  # (committed at once here, so the scans after each commit add events of their own)
        ids = {str(value) for value in WebhookDelivery.objects.values_list("delivery_id", flat=True)}
        assert ids
        receiver.hold.set()  # the receiver takes the request and does not answer: the worker waits in mid-delivery
        worker = start("run-job", "deliver-webhooks", webhooks_to_private_networks="true")
        assert receiver.arrived.wait(60), worker.communicate(timeout=5)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
        receiver.hold.clear()
        assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.CLAIMED}
        assert webhooks.deliver_due() == 0  # another worker leaves a fresh claim alone
        later = timezone.now() + webhooks.CLAIM_TIMEOUT + timedelta(seconds=1)
        assert webhooks.deliver_due(later) == len(ids)
    # The one the worker died on came twice, with the same id; every request is signed; each event handled once.
    assert len(receiver.requests) == len(ids) + 1
    assert all(signature_valid(hook.secret, request) for request in receiver.requests)
    handled = receiver.handled(hook.secret)
    assert sorted(body["delivery"] for body in handled) == sorted(ids)
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


WEBHOOK_PAGES = ["admin:api_webhook_changelist", "admin:api_webhook_add", "admin:api_webhookdelivery_changelist"]


@pytest.mark.parametrize("role", [*roles.ROLES, NO_ROLE, ANONYMOUS])
def test_only_administrators_see_webhooks(client, login, role):
    login(role)
    for name in WEBHOOK_PAGES:
        status = client.get(reverse(name)).status_code
        if role == roles.ADMINISTRATOR:
            assert status == 200, name
        else:
            assert status in (302, 403), (role, name, status)


def test_an_administrator_registers_a_webhook_in_the_desk(client, login):
    login(roles.ADMINISTRATOR)
    answer = client.post(reverse("admin:api_webhook_add"), {
        "url": "https://finance.example.invalid/hooks/pt", "description": "JenV finance system",
        "events": ["alert.opened", "decision.recorded"], "active": "on"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    hook = Webhook.objects.get()
    assert hook.events == ["alert.opened", "decision.recorded"] and len(hook.secret) == 64
    page = client.get(reverse("admin:api_webhook_change", args=[hook.pk])).content.decode()
    assert hook.secret in page  # shown to the Administrator, for the receiving system
    refused = client.post(reverse("admin:api_webhook_add"), {"url": "ftp://x.invalid/", "events": []})
    assert refused.status_code == 200 and Webhook.objects.count() == 1
    assert "errornote" in refused.content.decode() or "errorlist" in refused.content.decode()


def test_an_administrator_sends_a_webhook_a_test_delivery_that_arrives_signed(client, login):
    login(roles.ADMINISTRATOR)
    with Receiver() as receiver:
        hook = Webhook.objects.create(url=receiver.url, description="JenV finance system", events=["alert.opened"])
        answer = client.post(reverse("admin:api_webhook_changelist"), {
            "action": "send_test_delivery", "_selected_action": [hook.pk]}, follow=True)
        assert "A test delivery is in the outbox for 1 webhook" in answer.content.decode()
        webhooks.deliver_due()
    (request,) = receiver.requests
    assert signature_valid(hook.secret, request)
    body = json.loads(request["body"])
    assert request["headers"]["X-PT-Event"] == body["event"] == "webhook.test"
    assert body["webhook"] == {"id": hook.pk, "description": "JenV finance system"}
    assert WebhookDelivery.objects.get().state == DeliveryState.SENT
    # A test is sent on request only: it is not among the events a webhook chooses.
    form = client.get(reverse("admin:api_webhook_change", args=[hook.pk])).content.decode()
    assert 'value="alert.opened"' in form and 'value="webhook.test"' not in form


def test_deliveries_that_arrived_are_forgotten_after_the_keeping_time(accounts, settings):
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=ALL_EVENTS)
    old = timezone.now() - timedelta(days=settings.RETENTION["keep_notifications_days"] + 1)
    for state in ("sent", "failed", "pending"):
        WebhookDelivery.objects.create(webhook=hook, delivery_id=uuid.uuid4(), event="alert.opened", body="{}",
                                       state=state, created_at=old)
    assert webhooks.forget_old_deliveries(timezone.now()) == 1
    assert sorted(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed", "pending"]


def test_an_administrator_sends_a_failed_delivery_again(client, login):
    login(roles.ADMINISTRATOR)
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=ALL_EVENTS)
    failed = WebhookDelivery.objects.create(webhook=hook, delivery_id=uuid.uuid4(), event="alert.opened", body="{}",
                                            state="failed", attempts=16, last_error="HTTP 500")
    sent = WebhookDelivery.objects.create(webhook=hook, delivery_id=uuid.uuid4(), event="alert.opened", body="{}",
                                          state="sent", attempts=1)
    page = client.get(reverse("admin:api_webhookdelivery_change", args=[failed.pk])).content.decode()
    assert "HTTP 500" in page and 'name="_save"' not in page  # a record of what was sent: read only
    client.post(reverse("admin:api_webhookdelivery_changelist"), {
        "action": "send_again", "_selected_action": [failed.pk, sent.pk]})
    failed.refresh_from_db(), sent.refresh_from_db()
    assert (failed.state, failed.attempts, sent.state) == ("pending", 0, "sent")


def test_private_addresses_are_refused_unless_the_site_allows_them(client, login, accounts, settings):
    settings.WEBHOOKS_TO_PRIVATE_NETWORKS = False
    login(roles.ADMINISTRATOR)
    for address in ("http://127.0.0.1:6379/", "http://10.1.2.3/hook", "http://169.254.169.254/latest/",
                    "http://[::1]/hook", "http://localhost:8000/", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/",
                    "http://[::ffff:10.0.0.1]/", "http://2130706433/"):
        page = client.post(reverse("admin:api_webhook_add"), {"url": address, "events": ["alert.opened"]})
        assert page.status_code == 200 and "private network" in page.content.decode(), address
    assert not Webhook.objects.exists()
    # One registered while allowed, then the site stops allowing it: the delivery is set aside, not sent.
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=ALL_EVENTS)
    expiring(accounts)
    assert webhooks.deliver_due() == 0
    delivery = hook.deliveries.get()
    assert delivery.state == "failed" and "private network" in delivery.last_error


def test_the_delivery_goes_to_the_address_that_was_checked(accounts, monkeypatch):
    """DNS rebinding: the name is resolved and checked once, and the connection goes to that address."""
    with Receiver() as receiver:
        port = int(receiver.url.split(":")[2].split("/")[0])
        Webhook.objects.create(url=f"http://receiver.example.invalid:{port}/hook/", events=ALL_EVENTS)
        expiring(accounts)
        answers = iter(["127.0.0.1", "203.0.113.9"])  # checked, then (were it asked again) elsewhere
        real = socket.getaddrinfo

        def rebinding(host, port, *args, **kwargs):
            if host == "receiver.example.invalid":
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
            return real(host, port, *args, **kwargs)  # the address itself, as the connection asks it

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        assert webhooks.deliver_due() == 1
    (request,) = receiver.requests
    assert request["headers"]["Host"] == f"receiver.example.invalid:{port}" and request["path"] == "/hook/"
