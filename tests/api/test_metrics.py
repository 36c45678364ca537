"""/metrics/: off without a token; with one, Prometheus' text format with the register's own metrics."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from programme_tracker.continuity.models import Alert

pytestmark = pytest.mark.django_db


def test_off_unless_the_site_has_a_metrics_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/").status_code == 404


def test_only_with_the_token(client, settings, demo):
    settings.METRICS_TOKEN = "a-long-metrics-token"
    assert client.get("/metrics/").status_code == 401
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    answer = client.get("/metrics/", HTTP_AUTHORIZATION="Bearer a-long-metrics-token")
    assert answer.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(answer.content.decode())}
    alerts = {tuple(sorted(sample.labels.items())): sample.value for sample in families["programme_tracker_alerts"]
              .samples}
    expected = Alert.objects.filter(rule="funding-expiring", state="open").count()
    assert sum(value for labels, value in alerts.items()
               if ("rule", "funding-expiring") in labels and ("state", "open") in labels) == expected > 0
    assert families["programme_tracker_last_full_scan_duration_seconds"].samples[0].value >= 0
    assert {s.labels["outbox"] for s in families["programme_tracker_outbox"].samples} == {"email", "webhook"}
    assert "django_http_requests_total_by_method" in families  # django-prometheus' own
