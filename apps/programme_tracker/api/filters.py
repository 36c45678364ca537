"""The lists' filters (django-filter), with secured-until by DESIGN.md's definition and "changed since" from the
change history."""

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import FundingPeriod, Programme, ProgrammeRecommendation
from programme_tracker.portfolio.runs import secured_until_on


class YesNoFilter(filters.TypedChoiceFilter):
    """`true` or `false`; anything else is a 400 (django-filter's own would quietly ignore it)."""

    def __init__(self, *args, **kwargs):
        kwargs.update(choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true")
        super().__init__(*args, **kwargs)


class WholeNumberFilter(filters.NumberFilter):
    """A whole number: 2027, not 2027.5 (which django-filter's NumberFilter takes as a decimal)."""

    field_class = forms.IntegerField


class FilterSet(filters.FilterSet):
    """Filters that refuse a value they cannot use, with a 400 naming the parameter, instead of ignoring it."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
        models.IntegerField: {"filter_class": WholeNumberFilter},
        models.PositiveIntegerField: {"filter_class": WholeNumberFilter},
        models.PositiveSmallIntegerField: {"filter_class": WholeNumberFilter},
        models.SmallIntegerField: {"filter_class": WholeNumberFilter},
    }


class Filters(filters.DjangoFilterBackend):
    """django-filter for the lists, with FilterSet as the base of the filters made from `filterset_fields`."""

    filterset_base = FilterSet


class ProgrammeFilter(FilterSet):
    """Area, status, lead ministry (short name), secured until before or after a day (those not secured today
    match neither), and changed since a moment (any saved change to the programme)."""

    lead_ministry = filters.CharFilter(field_name="lead_ministry__short_name")
    secured_until_before = filters.DateFilter(method="secured_before", label="Secured until on or before")
    secured_until_after = filters.DateFilter(method="secured_after", label="Secured until on or after")
    changed_since = filters.IsoDateTimeFilter(method="changed", label="Changed since (ISO date and time)")

    class Meta:
        model = Programme
        fields = ["area", "status", "lead_ministry"]

    def _untils(self) -> dict:
        if not hasattr(self, "_secured"):
            self._secured = secured_until_on(timezone.localdate())
        return self._secured

    def secured_before(self, queryset, name, value):
        return queryset.filter(pk__in=[pk for pk, until in self._untils().items() if until <= value])

    def secured_after(self, queryset, name, value):
        return queryset.filter(pk__in=[pk for pk, until in self._untils().items() if until >= value])

    def changed(self, queryset, name, value):
        if not 1900 <= value.year <= 2999:  # (0001-01-01 in another time zone is no moment the database holds)
            raise ValidationError({"changed_since": [_("Give a moment between the years 1900 and 2999.")]})
        return queryset.filter(pk__in=Programme.history.filter(history_date__gte=value).values("id"))


class FundingPeriodFilter(FilterSet):
    programme = filters.CharFilter(field_name="programme__code")
    ends_before = filters.DateFilter(field_name="end", lookup_expr="lte")
    ends_after = filters.DateFilter(field_name="end", lookup_expr="gte")

    class Meta:
        model = FundingPeriod
        fields = ["programme", "status", "instrument"]


class AlertFilter(FilterSet):
    programme = filters.CharFilter(field_name="programme__code")

    class Meta:
        model = Alert
        fields = ["state", "severity", "rule", "programme"]


class RecommendationLinkFilter(FilterSet):
    programme = filters.CharFilter(field_name="programme__code")
    recommendation = filters.CharFilter(field_name="recommendation__code")

    class Meta:
        model = ProgrammeRecommendation
        fields = ["programme", "recommendation"]


def money_filter(record_model) -> type[FilterSet]:
    """A filter of a funding period's records by its code (?funding_period=) and its programme's (?programme=)."""

    class MoneyFilter(FilterSet):
        funding_period = filters.CharFilter(field_name="funding_period__code")
        programme = filters.CharFilter(field_name="funding_period__programme__code")

        class Meta:
            model = record_model
            fields = ["funding_period", "programme"]

    MoneyFilter.__name__ = f"{record_model.__name__}Filter"
    return MoneyFilter


class Ordering(OrderingFilter):
    """?ordering= one of the list's ordering fields, `-` before it for descending; anything else is a 400 naming
    the choices (DRF would quietly ignore it, and a client would believe its order applied)."""

    def get_ordering(self, request, queryset, view):
        given = request.query_params.get(self.ordering_param)
        if given is None or given == "":
            return self.get_default_ordering(view)
        choices = choices_of(view)
        if given not in choices:
            raise ValidationError({self.ordering_param: [
                _("Order by one of: %(choices)s.") % {"choices": ", ".join(choices)}]})
        return [given]


def choices_of(view) -> list[str]:
    """The values ?ordering= takes on a list: each ordering field, ascending or descending."""
    fields = getattr(view, "ordering_fields", None) or []
    return [name for field in fields for name in (field, f"-{field}")]
