"""Scheduled work of the notifications module."""

from programme_tracker.notifications.outbox import deliver_due


def deliver() -> dict:
    """Send every e-mail that is due (critical ones at once, digests at digest time)."""
    return {"sent": deliver_due()}
