"""Alert events published to the modules above continuity that act on them (notifications, the task force, the
API's webhooks): each listener is called with the batch id of the events just written, in the writer's transaction
(core/listeners.py)."""

from programme_tracker.core.listeners import Channel

_alert_events = Channel()
listen = _alert_events.listen


def publish(batch: str) -> None:
    """Hand one batch of alert events to every listener, in the caller's transaction."""
    if batch:
        _alert_events.publish(batch)
