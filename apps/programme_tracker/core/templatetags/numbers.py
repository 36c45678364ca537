"""Template filters for amounts and counts in the reader's language (1.234,56 in Dutch, 1,234.56 in English), for
every module's templates (`{% load numbers %}`)."""

from django import template
from django.utils.formats import number_format

from programme_tracker.core.money import written_money

register = template.Library()


@register.filter
def amount(value):
    """An amount of money with two decimals and grouped thousands, as the language writes it."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def count(value):
    """A whole number with grouped thousands, as the language writes it."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


@register.filter
def money(value, currency="EUR"):
    """An amount of money with its currency, as the language writes it (€ 1.234,56 in Dutch, €1,234.56 in
    English)."""
    if value is None or value == "":
        return ""
    return written_money(value, currency)
