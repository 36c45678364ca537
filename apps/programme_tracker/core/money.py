"""Amounts of money as the reader's language writes them, with their currency: € 1.234,50 in Dutch, €1,234.50 in
English."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language

SYMBOLS = {"EUR": "€"}


def written_money(amount: Decimal, currency: str) -> str:
    """The amount with two decimals, grouped, and its currency's symbol (a currency without one after the number:
    1,234.50 USD)."""
    number = number_format(amount, 2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{number} {currency}"
    return f"{symbol} {number}" if (get_language() or "").startswith("nl") else f"{symbol}{number}"
