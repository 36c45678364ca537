"""The notifications module: who is told about alerts, in the desk and by e-mail, through an outbox."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications, e-mail delivery, digests, preferences and monitors' subscriptions."""

    name = "programme_tracker.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from programme_tracker.continuity import listeners
        from programme_tracker.core import retention
        from programme_tracker.notifications.outbox import notify_alert_events
        from programme_tracker.notifications.services import forget_old_notifications

        retention.register("notifications", forget_old_notifications)
        listeners.listen(notify_alert_events)  # who is told, written in the alert change's own transaction
