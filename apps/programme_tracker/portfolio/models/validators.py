"""Validators, field definitions and checks shared by the models of the portfolio and the finance modules."""

from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, '.', '-' and '_' only, starting with a letter or digit."),
)

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as EUR."))


def money_field(verbose_name):
    """A non-negative amount of money (Decimal, two decimals)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0"))])


def currency_field():
    """The currency of one record (ISO 4217, EUR by default)."""
    return models.CharField(_("currency"), max_length=3, default="EUR", validators=[currency_validator])


def are_dates(*values) -> bool:
    """True when every value is a date: in clean(), fields that failed their own validation still hold raw text."""
    return all(isinstance(value, date) for value in values)
