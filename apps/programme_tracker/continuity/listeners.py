"""Alert events published to the modules above continuity that act on them (notifications, the task force).

Continuity does not know who listens: a module registers a listener in its AppConfig.ready(). A listener is
called with the batch id of the events just written, inside the writer's transaction, so what it writes (an
e-mail in the outbox, an agenda item) commits or rolls back with the alert change itself: nothing is lost and
nothing is reported that did not happen.
"""

from collections.abc import Callable

Listener = Callable[[str], object]

_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a function to be called with the batch id of every set of alert events written together."""
    if listener not in _listeners:  # ready() may run twice in tests; a listener is called once per batch
        _listeners.append(listener)
    return listener


def publish(batch: str) -> None:
    """Hand one batch of alert events to every listener, in the caller's transaction."""
    if batch:
        for listener in _listeners:
            listener(batch)
