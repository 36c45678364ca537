"""`{{ alert|message_for:request.user }}`: an alert's message as the reader may read it (amounts only for those who
may see money records)."""

from django import template

register = template.Library()


@register.filter
def message_for(alert, user) -> str:
    """The alert's message for this reader."""
    return alert.message_for(user)
