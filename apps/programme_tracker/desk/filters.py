"""The filters the desk pages share (area, lead ministry, programme status), read from the query string."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    Area,
    FundingPeriod,
    Organisation,
    OrganisationKind,
    ProgrammeStatus,
)


def is_id(value: str) -> bool:
    """Whether a query-string value can be a record's id (ASCII digits that fit the databases' keys)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


SECURED_CHOICES = [("yes", _("secured today")), ("no", _("not secured today"))]


class Filters:
    """What the filter dataclasses of the desk pages share: their values as a query string."""

    def query(self) -> str:
        """The chosen filters as a query string, without the leading '?'."""
        return urlencode({name: value for name, value in vars(self).items() if value})


@dataclass
class ProgrammeFilters(Filters):
    """The chosen area, lead ministry, status and secured-today filters; empty means all."""

    area: str = ""
    ministry: str = ""
    status: str = ""
    secured: str = ""

    @classmethod
    def from_request(cls, request) -> ProgrammeFilters:
        """The filters in the query string, ignoring values that are not choices."""
        get = request.GET
        return cls(
            area=get.get("area", "") if get.get("area") in Area.values else "",
            ministry=get.get("ministry", "") if is_id(get.get("ministry", "")) else "",
            status=get.get("status", "") if get.get("status") in ProgrammeStatus.values else "",
            secured=get.get("secured", "") if get.get("secured") in ("yes", "no") else "",
        )

    def apply(self, programmes: QuerySet, today) -> QuerySet:
        """The programmes that pass the filters."""
        if self.area:
            programmes = programmes.filter(area=self.area)
        if self.ministry:
            programmes = programmes.filter(lead_ministry_id=int(self.ministry))
        if self.status:
            programmes = programmes.filter(status=self.status)
        if self.secured:
            secured_today = Exists(FundingPeriod.objects.filter(
                programme=OuterRef("pk"), status__in=SECURED_FUNDING_STATUSES, start__lte=today, end__gte=today))
            programmes = programmes.filter(secured_today if self.secured == "yes" else ~secured_today)
        return programmes

    def fields(self) -> list[dict]:
        """The filter controls with their choices and current values, for the template (one query: ministries)."""
        ministries = Organisation.objects.filter(Q(kind=OrganisationKind.MINISTRY)).order_by("short_name")
        return [
            {"name": "area", "label": _("Area"), "value": self.area, "choices": Area.choices},
            {"name": "ministry", "label": _("Lead ministry"), "value": self.ministry,
             "choices": [(str(pk), name) for pk, name in ministries.values_list("pk", "short_name")]},
            {"name": "status", "label": _("Status"), "value": self.status, "choices": ProgrammeStatus.choices},
            {"name": "secured", "label": _("Funding"), "value": self.secured, "choices": SECURED_CHOICES},
        ]
