"""The REST API module: the register for other systems, with the desk's permissions, validation and history."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Resources under /api/, personal tokens, the OpenAPI schema, its documentation pages and webhooks."""

    name = "programme_tracker.api"
    verbose_name = _("API")

    def ready(self):
        from programme_tracker.api import metrics, schema, webhooks  # noqa: F401  (schema: the token's scheme)
        from programme_tracker.continuity import listeners as alert_listeners
        from programme_tracker.core import jobs, retention
        from programme_tracker.taskforce import listeners as decision_listeners

        metrics.register()  # the register's own metrics beside django-prometheus' request metrics
        # Written in the event's own transaction: the outbox the worker sends from.
        alert_listeners.listen(webhooks.alert_events_happened)
        decision_listeners.listen(webhooks.decision_recorded)
        retention.register("webhook-deliveries", webhooks.forget_old_deliveries)
        jobs.register(jobs.Job("deliver-webhooks", "programme_tracker.api.webhooks.deliver", every_seconds=60,
                               timeout_seconds=600))
