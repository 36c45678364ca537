"""New decisions published to the modules above the task force that act on them (the API's webhooks).

The task force does not know who listens: a module registers a listener in its AppConfig.ready(). A listener is
called with the decision just recorded, its subjects set, inside the recording transaction, so what it writes (a
webhook delivery in the outbox) commits or rolls back with the decision itself.
"""

from collections.abc import Callable

Listener = Callable[[object], object]

_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a function to be called with every decision recorded."""
    if listener not in _listeners:  # ready() may run twice in tests; a listener is called once per decision
        _listeners.append(listener)
    return listener


def publish(decision) -> None:
    """Hand a decision just recorded (numbered, its subjects set) to every listener, in the caller's transaction."""
    for listener in _listeners:
        listener(decision)
