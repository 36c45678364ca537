"""Webhooks: alert events and decisions written to an outbox in their own transaction, then sent, signed, retried.

Delivery goes like the e-mail outbox's (notifications/outbox.py): a delivery row is written in the same
transaction as the event, so nothing is reported that did not happen and nothing that happened is lost; a worker
claims due rows with a conditional UPDATE (two workers never take the same row), sends, and marks them. A worker
killed after sending but before marking leaves the row to be claimed again after CLAIM_TIMEOUT, and the receiver
gets the same body under the same delivery id once more: the receiver keeps the ids it has handled and drops a
repeat, which makes the handling exactly once (docs/guide/api.md shows how, with the signature check).

Each request carries `X-PT-Event`, `X-PT-Delivery` (a UUID, the same on every attempt) and `X-PT-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's secret>`; a receiver refuses a signature
that does not match or a time more than five minutes off (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.api.models import DeliveryState, Webhook, WebhookDelivery, WebhookEvent
from programme_tracker.continuity.choices import EventKind
from programme_tracker.continuity.models import AlertEvent
from programme_tracker.core import outbox

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this belongs to a worker that died
REQUEST_TIMEOUT = 15  # seconds a receiver has to answer
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = 16  # more than a day of refusals: marked not delivered, shown to Administrators
# Claimed at a time: even if every receiver takes the whole REQUEST_TIMEOUT, a batch is sent well within the
# CLAIM_TIMEOUT (20 × 15 s = 5 minutes), so no other worker takes its rows for dead meanwhile.
BATCH = 20
USER_AGENT = "Programme-Tracker-Webhook/1"

# Which alert events a webhook hears of, by the event's kind.
ALERT_EVENTS = {
    EventKind.OPENED: WebhookEvent.ALERT_OPENED,
    EventKind.REOPENED: WebhookEvent.ALERT_OPENED,
    EventKind.ESCALATED: WebhookEvent.ALERT_ESCALATED,
    EventKind.RESOLVED: WebhookEvent.ALERT_RESOLVED,
}


EMBEDDING = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"))  # IPv4 inside IPv6


def _public(text: str) -> bool:
    """Whether an address is a public one, also the IPv4 address inside an IPv6 one (::ffff:127.0.0.1,
    ::127.0.0.1, 64:ff9b::7f00:1, 6to4, Teredo)."""
    address = ipaddress.ip_address(text.split("%")[0])
    inside = [address]
    if address.version == 6:
        inside += [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
        if any(address in network for network in EMBEDDING):
            inside.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return all(part.is_global for part in inside if part is not None)


def resolve(url: str) -> tuple[str | None, str]:
    """The address to connect to for a webhook's URL and, when the site refuses it, why. Unless the site allows
    private networks, every address the host name resolves to must be public (not this machine, the office network
    or the cloud's metadata service). The delivery connects to the address checked here, so a name that answers
    differently a moment later (DNS rebinding) cannot lead it elsewhere. Raises OSError when the name does not
    resolve now (the delivery is tried again later)."""
    parts = urlsplit(url)
    found = socket.getaddrinfo(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                               proto=socket.IPPROTO_TCP)
    addresses = [address[0] for *_rest, address in found]
    if not settings.WEBHOOKS_TO_PRIVATE_NETWORKS and not all(_public(address) for address in addresses):
        return None, _("%(host)s is in a private network or on this machine; the site sends webhooks to public "
                       "addresses only (site setting webhooks_to_private_networks).") % {"host": parts.hostname}
    return addresses[0], ""


def refused_address(url: str) -> str:
    """Why a webhook may not go to this address, or "" when it may (or when its name does not resolve yet)."""
    try:
        return resolve(url)[1]
    except (OSError, UnicodeError, ValueError):
        return ""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-PT-Signature header's value for a body sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _link(route: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(route, args=[pk])


def _delivery(hook: Webhook, event: str, payload: dict) -> WebhookDelivery:
    """One event's delivery to one webhook, its body fixed now (every attempt sends the same bytes)."""
    delivery_id = uuid.uuid4()
    body = {"event": event, "delivery": str(delivery_id), **payload}
    return WebhookDelivery(webhook=hook, delivery_id=delivery_id, event=event,
                           body=json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False))


def _enqueue(event: str, payloads: list[dict]) -> int:
    """Write one delivery per active webhook that wants `event`, per payload; returns how many."""
    hooks = [hook for hook in Webhook.objects.filter(active=True) if event in hook.events]
    rows = [_delivery(hook, event, payload) for payload in payloads for hook in hooks]
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def send_test(hooks) -> int:
    """Put a test delivery for each of the webhooks in the outbox (an Administrator's check that the receiving
    system hears them and verifies their signature), whatever events they chose; returns how many."""
    now = timezone.now()
    rows = [_delivery(hook, WebhookEvent.TEST, {"occurred_at": now, "webhook": {
        "id": hook.pk, "description": hook.description}}) for hook in hooks]
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


def alert_events_happened(batch: str) -> int:
    """Write the deliveries for one batch of alert events, in the caller's transaction (a continuity listener).

    The payload holds no amounts and no names: the message as someone without money permissions reads it."""
    if not Webhook.objects.filter(active=True).exists():
        return 0  # the usual case: one cheap query per batch
    events = list(AlertEvent.objects.filter(batch=batch, kind__in=ALERT_EVENTS).select_related(
        "alert__programme", "alert__recommendation").order_by("id"))
    written = 0
    for kind in dict.fromkeys(ALERT_EVENTS.values()):
        payloads = [{"occurred_at": event.at, "alert": _alert(event)} for event in events
                    if ALERT_EVENTS[event.kind] == kind]
        if payloads:
            written += _enqueue(kind, payloads)
    return written


def _alert(event: AlertEvent) -> dict:
    alert = event.alert
    return {
        "id": alert.pk, "rule": alert.rule, "title": str(alert.rule_title), "severity": alert.severity,
        "state": event.to_state, "from_state": event.from_state or None, "subject_label": alert.subject_label,
        "programme": alert.programme.code if alert.programme else None,
        "recommendation": alert.recommendation.code if alert.recommendation else None,
        "key_date": alert.key_date, "until_date": alert.until_date, "message": alert.message_for(None),
        "url": _link("admin:continuity_alert_change", alert.pk),
    }


def decision_recorded(decision) -> int:
    """Write the deliveries for a decision just recorded, in its transaction (a task-force listener)."""
    if not Webhook.objects.filter(active=True).exists():
        return 0
    payload = {"occurred_at": timezone.now(), "decision": {
        "id": decision.pk, "number": decision.number, "decided_on": decision.decided_on, "kind": decision.kind,
        "text": decision.text, "state": decision.state, "deadline": decision.deadline,
        "accepted_until": decision.accepted_until,
        "meeting_on": timezone.localdate(decision.meeting.starts_at) if decision.meeting_id else None,
        "programmes": sorted(decision.programmes.values_list("code", flat=True)),
        "recommendations": sorted(decision.recommendations.values_list("code", flat=True)),
        "alerts": sorted(decision.alerts.values_list("pk", flat=True)),
        "url": _link("admin:taskforce_decision_change", decision.pk),
    }}
    return _enqueue(WebhookEvent.DECISION_RECORDED, [payload])


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.PENDING, due_at__lte=now) | Q(
        state=DeliveryState.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)


def claim(now: datetime | None = None, limit: int = BATCH) -> str | None:
    """Take up to `limit` due deliveries for this worker with one conditional UPDATE; returns the claim token."""
    now = now or timezone.now()
    return outbox.claim(WebhookDelivery, _due(now), ("due_at", "id"), limit, state=DeliveryState.CLAIMED,
                        claimed_at=now)


def deliver_due(now: datetime | None = None) -> int:
    """Claim and send every due delivery; returns how many were accepted by their receivers."""
    sent = 0
    while (token := claim(now)) is not None:
        sent += send_claimed(token)
    return sent


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to the address already checked, with the URL's host name in the Host header."""

    def __init__(self, host: str, address: str, port: int | None, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address already checked; the certificate is checked against the URL's host name."""

    def __init__(self, host: str, address: str, port: int | None, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class Refused(Exception):
    """The site does not send webhooks to this address (resolve())."""


def post(url: str, secret: str, event: str, delivery_id: str, body: bytes) -> int:
    """POST one signed body to the address resolve() checked; returns the receiver's HTTP status (a redirect is
    a status like any other: not followed). Raises Refused, or OSError when the receiver cannot be reached."""
    address, refusal = resolve(url)
    if refusal:
        raise Refused(refusal)
    parts = urlsplit(url)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, parts.port, REQUEST_TIMEOUT)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                                    "X-PT-Event": event, "X-PT-Delivery": delivery_id,
                                    "X-PT-Signature": signature(secret, int(time.time()), body)})
        response = connection.getresponse()
        response.read(1024)  # the answer's body is not wanted; a little is read so the connection ends cleanly
        return response.status
    finally:
        connection.close()


def send_claimed(token: str) -> int:
    """Send the deliveries claimed under `token` and mark each: sent on a 2xx answer, else retried with backoff
    until MAX_ATTEMPTS, then set aside as not delivered."""
    sent = 0
    for delivery in WebhookDelivery.objects.filter(claim_token=token, state=DeliveryState.CLAIMED).select_related(
            "webhook").order_by("id"):
        mine = WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=token)
        status, error = None, ""
        try:
            status = post(delivery.webhook.url, delivery.webhook.secret, delivery.event, str(delivery.delivery_id),
                          delivery.body.encode())
        except Refused as refusal:  # no retry can fix it: set aside for an Administrator
            mine.update(state=DeliveryState.FAILED, claim_token="", last_error=str(refusal))
            continue
        except (OSError, ValueError, http.client.HTTPException) as exc:  # unreachable, timed out, a bad answer
            error = str(exc) or exc.__class__.__name__
        if status is not None and 200 <= status < 300:
            sent += mine.update(state=DeliveryState.SENT, sent_at=timezone.now(), response_status=status,
                                last_error="", claim_token="")
            continue
        error = error or f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS:
            log.error("Webhook delivery %s not delivered (attempt %s): %s", delivery.pk, delivery.attempts, error)
            mine.update(state=DeliveryState.FAILED, claim_token="", response_status=status, last_error=error[:1000])
            continue
        delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS)) - 1]
        log.warning("Webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
        mine.update(state=DeliveryState.PENDING, claim_token="", due_at=timezone.now() + delay,
                    response_status=status, last_error=error[:1000])
    return sent


def forget_old_deliveries(now: datetime) -> int:
    """Delete deliveries that arrived longer ago than notifications are kept (a retention rule)."""
    cutoff = now - timedelta(days=settings.RETENTION["keep_notifications_days"])
    return WebhookDelivery.objects.filter(state=DeliveryState.SENT, created_at__lt=cutoff).delete()[0]


def deliver() -> dict:
    """The scheduled job: send every webhook delivery that is due."""
    return {"sent": deliver_due()}
