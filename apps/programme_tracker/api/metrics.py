"""Prometheus metrics at /metrics/ (django-prometheus): its request and response metrics, and the register's own,
read from the database when Prometheus asks, so that every web worker answers the same: the last full scan's
duration and findings, the alerts by rule, severity and state, and what waits in the e-mail and webhook outboxes.

Off unless the site sets `metrics_token`; Prometheus then sends it as `Authorization: Bearer …`.
"""

import hmac

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from prometheus_client.core import REGISTRY, GaugeMetricFamily

from programme_tracker.api.models import DeliveryState, WebhookDelivery
from programme_tracker.continuity.choices import UNRESOLVED_STATES
from programme_tracker.continuity.models import Alert, ScanState
from programme_tracker.notifications.models import EmailState, Notification


class RegisterCollector:
    """The register's metrics, a few queries per scrape."""

    def describe(self):
        """The metrics' names, without reading the database (the registry asks when the collector registers)."""
        return [GaugeMetricFamily(name, "") for name in (
            "programme_tracker_last_full_scan_timestamp_seconds", "programme_tracker_last_full_scan_duration_seconds",
            "programme_tracker_last_full_scan_findings", "programme_tracker_alerts", "programme_tracker_outbox")]

    def collect(self):
        scan = ScanState.objects.filter(pk=1).values("last_full_scan_at", "last_full_scan_summary").first() or {}
        summary = scan.get("last_full_scan_summary") or {}
        last_scan = GaugeMetricFamily("programme_tracker_last_full_scan_timestamp_seconds",
                                      "When the last full scan of the portfolio ran (unix time).")
        duration = GaugeMetricFamily("programme_tracker_last_full_scan_duration_seconds",
                                     "How long the last full scan took.")
        findings = GaugeMetricFamily("programme_tracker_last_full_scan_findings", "Findings of the last full scan.")
        if scan.get("last_full_scan_at"):
            last_scan.add_metric([], scan["last_full_scan_at"].timestamp())
            duration.add_metric([], float(summary.get("seconds", 0)))
            findings.add_metric([], float(summary.get("findings", 0)))
        yield from (last_scan, duration, findings)

        alerts = GaugeMetricFamily("programme_tracker_alerts", "Alerts not resolved, by rule, severity and state.",
                                   labels=["rule", "severity", "state"])
        for row in (Alert.objects.filter(state__in=UNRESOLVED_STATES).values("rule", "severity", "state")
                    .annotate(count=Count("id")).order_by()):
            alerts.add_metric([row["rule"], row["severity"], row["state"]], row["count"])
        yield alerts

        now = timezone.now()
        outbox = GaugeMetricFamily("programme_tracker_outbox", "What waits in the outboxes, and what could not be "
                                   "delivered.", labels=["outbox", "state"])
        emails = Notification.objects.aggregate(
            due=Count("id", filter=Q(email_state__in=[EmailState.PENDING, EmailState.CLAIMED], email_due_at__lte=now)),
            failed=Count("id", filter=Q(email_state=EmailState.FAILED)))
        hooks = WebhookDelivery.objects.aggregate(
            due=Count("id", filter=Q(state__in=[DeliveryState.PENDING, DeliveryState.CLAIMED], due_at__lte=now)),
            failed=Count("id", filter=Q(state=DeliveryState.FAILED)))
        for name, counts in (("email", emails), ("webhook", hooks)):
            for state, count in counts.items():
                outbox.add_metric([name, state], count)
        yield outbox


_registered = False


def register() -> None:
    """Add the register's collector to Prometheus' registry (once, however often the app is made ready)."""
    global _registered
    if not _registered:
        REGISTRY.register(RegisterCollector())
        _registered = True


@require_GET
def metrics_view(request):
    """The metrics for a Prometheus that sends the site's metrics token; 404 when the site has none."""
    if not settings.METRICS_TOKEN:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode()):
        response = HttpResponse("Send the metrics token as 'Authorization: Bearer …'.\n", status=401,
                                content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)
