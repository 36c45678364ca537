"""Alert messages kept as their English source text and arguments, so that every reader sees them in their own
language with their own date and number formats.

A message is a list of parts, each {"t": source text, "a": {name: value}}; a value is text, a whole number, a
date ({"date": ISO}), an amount ({"amount": "1234.50"}, with "currency": "EUR" when it is money) or a part of its
own (a word that is translated too).
Source texts are marked with gettext_noop where the rules define them, so the catalog holds them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

from programme_tracker.core.money import written_money


def counted(singular: str, plural: str) -> tuple[str, str]:
    """A message whose words follow a number ("1 day", "2 days"); marks both forms for the catalog (makemessages
    knows this name: core/management/commands/makemessages.py)."""
    return singular, plural


def say(text: str | tuple[str, str], count: str = "", **args) -> dict:
    """One part of a message: `text` (English, marked with gettext_noop, or `counted` with the name of the
    argument whose number picks the form) with its arguments."""
    part = {"t": text, "a": {name: _encode(value) for name, value in args.items()}}
    if isinstance(text, tuple):
        part.update(t=text[0], p=text[1], n=count)
    return part


def money(amount: Decimal, currency: str) -> dict:
    """An amount of money as a message argument: written with its currency, as the reader's language writes it."""
    return {"amount": str(amount), "currency": currency}


def _encode(value):
    """An argument as JSON: dates and amounts are tagged so they can be formatted per language."""
    if isinstance(value, dict) and "t" in value:
        return value
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal | float):
        return {"amount": str(value)}
    return value


HIDDEN_AMOUNT = "…"  # an amount the reader may not see (money beyond the funding period's own)


def _decode(value, localize: bool, hide_amounts: bool = False):
    """An argument as the reader reads it (ISO dates and plain numbers unless `localize`)."""
    if not isinstance(value, dict):
        return value
    if "t" in value:
        return render([value], localize, hide_amounts)
    if "date" in value:
        day = date.fromisoformat(value["date"])
        return date_format(day, "DATE_FORMAT") if localize else day.isoformat()
    if "amount" in value:
        if hide_amounts:
            return HIDDEN_AMOUNT
        amount = Decimal(value["amount"])
        currency = value.get("currency")
        if not localize:
            return f"{amount:.2f} {currency}" if currency else f"{amount:.2f}"
        # Always two decimals: a sum of no payments is stored as "0", and reads as 0.00 like any other amount.
        return written_money(amount, currency) if currency else number_format(amount, 2, use_l10n=True,
                                                                                force_grouping=True)
    return value


def render(parts: list[dict], localize: bool = False, hide_amounts: bool = False) -> str:
    """The message in the active language; `localize` also formats its dates and amounts for that language;
    `hide_amounts` puts … for the amounts (for a reader who may not see money records)."""
    return " ".join(_words(part) % {name: _decode(value, localize, hide_amounts) for name, value in part["a"].items()}
                    if part["a"] else _words(part) for part in parts)


def _words(part: dict) -> str:
    """The part's text in the active language, in the form its number asks for."""
    if "p" in part:
        return ngettext(part["t"], part["p"], int(part["a"][part["n"]]))
    return gettext(part["t"])


def problem(parts) -> str | None:
    """What keeps a message in parts from being shown (from a document an import reads), or None when it shows."""
    try:
        if not isinstance(parts, list) or not all(isinstance(part, dict) and isinstance(part.get("t"), str)
                                                  and isinstance(part.get("a"), dict)
                                                  and isinstance(part.get("p", ""), str) for part in parts):
            return "must be a list of {\"t\": text, \"a\": {name: value}}"
        render(parts, localize=True)
        render(parts)
    except (KeyError, TypeError, ValueError, ArithmeticError, OverflowError) as exc:
        return f"cannot be shown ({type(exc).__name__}: {exc})"
    return None
