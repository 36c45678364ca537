"""A channel through which a lower module tells the modules above it what happened, without knowing them.

The higher module registers a listener in its AppConfig.ready(); the lower one publishes inside its own
transaction, so what a listener writes (an e-mail or webhook delivery in an outbox, an agenda item) commits or
rolls back with the change itself: nothing is lost, and nothing is reported that did not happen.
"""

from collections.abc import Callable


class Channel:
    """Listeners of one kind of event, called in the order they registered."""

    def __init__(self):
        self._listeners: list[Callable] = []

    def listen(self, listener: Callable) -> Callable:
        """Register a function to be called with each event published."""
        if listener not in self._listeners:  # ready() may run twice in tests; a listener is called once per event
            self._listeners.append(listener)
        return listener

    def publish(self, *event) -> None:
        """Hand one event to every listener, in the caller's transaction."""
        for listener in self._listeners:
            listener(*event)
