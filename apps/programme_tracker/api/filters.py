"""The lists' filters (django-filter), with secured-until by DESIGN.md's definition and "changed since" from the
change history."""

from django.utils import timezone
from django_filters import rest_framework as filters

from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import FundingPeriod, Programme
from programme_tracker.portfolio.runs import secured_until_on


class ProgrammeFilter(filters.FilterSet):
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
        return queryset.filter(pk__in=Programme.history.filter(history_date__gte=value).values("id"))


class FundingPeriodFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code")
    ends_before = filters.DateFilter(field_name="end", lookup_expr="lte")
    ends_after = filters.DateFilter(field_name="end", lookup_expr="gte")

    class Meta:
        model = FundingPeriod
        fields = ["programme", "status", "instrument"]


class AlertFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code")

    class Meta:
        model = Alert
        fields = ["state", "severity", "rule", "programme"]
