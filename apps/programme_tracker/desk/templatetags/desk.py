"""Template filters of the desk: amounts and counts formatted in the reader's language (1.234,56 in Dutch), and
URLs for long lists of rows."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

from programme_tracker.core.templatetags import numbers

register = template.Library()


# The amounts and counts of core's filters, under the same names for the desk's templates.
register.filter("amount", numbers.amount)
register.filter("count", numbers.count)
register.filter("money", numbers.money)


@register.simple_tag(takes_context=True)
def page_query(context, page_number):
    """The current query string with another page number."""
    query = context["request"].GET.copy()
    query["page"] = page_number
    return "?" + query.urlencode()


_SLOT = 918273645546372819  # stands for the row's id in a URL reversed once


@register.simple_tag
def row_url(name, pk, *args):
    """`{% url name pk … %}` for every row of a long list: reversed once per name and further arguments, then the
    row's id put in (a reverse() costs tens of microseconds, and the inbox has four links on each of its rows)."""
    return _pattern(get_script_prefix(), name, args).replace(str(_SLOT), str(int(pk)))


@lru_cache(maxsize=64)
def _pattern(prefix: str, name: str, args: tuple) -> str:
    """The URL with _SLOT for the id (per script prefix, which reverse() puts in front)."""
    return reverse(name, args=[_SLOT, *args])
