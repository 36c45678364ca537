"""New decisions published to the modules above the task force that act on them (the API's webhooks): each
listener is called with the decision just recorded, its subjects set, in the recording transaction
(core/listeners.py)."""

from programme_tracker.core.listeners import Channel

_decisions = Channel()
listen = _decisions.listen
publish = _decisions.publish
